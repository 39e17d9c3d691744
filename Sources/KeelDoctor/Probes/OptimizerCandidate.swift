import KeelCore
import KeelOptimizers

/// An update rule the doctor may probe: a gradient transform ending in an optimizer (no
/// clipping: the probes measure raw gradients), the learning rate it was built with, and a name
/// for the prescription (`sgd`, `adam`, …).
///
/// The probes change the rate the way the `Trainer` does: each update is multiplied by
/// rate / ``nominalLearningRate``, which for SGD, Adam and RMSprop is exactly a change of rate.
public struct OptimizerCandidate<Scalar: TensorScalar>: Sendable {
    /// The name the prescription uses.
    public var name: String
    /// The update rule, ending in the optimizer.
    public var transform: AnyGradientTransform<Scalar>
    /// The learning rate the transform was built with.
    public var nominalLearningRate: Double

    /// A candidate; see the properties.
    public init(name: String, transform: AnyGradientTransform<Scalar>, nominalLearningRate: Double) {
        precondition(nominalLearningRate > 0, "OptimizerCandidate: nominalLearningRate \(nominalLearningRate) must be > 0")
        self.name = name
        self.transform = transform
        self.nominalLearningRate = nominalLearningRate
    }
}
