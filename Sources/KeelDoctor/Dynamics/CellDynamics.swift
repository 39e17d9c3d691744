import Foundation
import KeelCore
import KeelLayers

/// What the doctor measured on one recurrent cell at initialization, from its own steps.
///
/// **Recurrent Jacobian.** Jₜ = ∂hₜ/∂hₜ₋₁ at a state reached by running the cell on the data
/// (the other parts of the state, such as an LSTM's cell state, held fixed). Its spectral radius
/// ρ(Jₜ) is estimated per sequence of the batch with Gelfand's formula ρ = lim ‖(Jₜᵀ)ᵏu‖^{1/k},
/// from `k` vector–Jacobian products through `Cell.backwardStep(outputGradient:stateGradient:cache:gradients:)`
/// (exact, no finite differences). ρ < 1 at every step makes the back-flowing gradient shrink
/// geometrically (vanishing); ρ > 1 lets it grow (exploding), unless saturation pulls the
/// Jacobian back down.
public struct CellDynamics: Sendable, Codable, Hashable {
    /// The cell's place in the model (its parameters' key prefix, e.g. `encoder.layer0`).
    public var path: String
    /// The hidden size H.
    public var hiddenSize: Int
    /// The 0-based time steps t at which Jₜ was measured.
    public var sampledSteps: [Int]
    /// ρ(Jₜ) at each sampled step: the geometric mean over the batch's sequences.
    public var jacobianRadii: [Double]
    /// The median of ``jacobianRadii``.
    public var jacobianRadius: Double
    /// For gated cells (a `GatedRecurrentCell` with more than one gate block): the fraction of
    /// gate pre-activations beyond ±4.6, where a sigmoid is within 0.01 of 0 or 1 and passes almost
    /// no gradient; `nil` for ungated cells.
    public var gateSaturation: Double?

    /// A measurement; see the properties.
    public init(path: String, hiddenSize: Int, sampledSteps: [Int], jacobianRadii: [Double], gateSaturation: Double?) {
        self.path = path
        self.hiddenSize = hiddenSize
        self.sampledSteps = sampledSteps
        self.jacobianRadii = jacobianRadii
        self.jacobianRadius = median(jacobianRadii)
        self.gateSaturation = gateSaturation
    }
}

/// Measures ``CellDynamics`` of every cell it visits.
struct CellDynamicsVisitor<Scalar: TensorScalar>: RecurrentCellVisitor {
    /// Time steps sampled per cell.
    var samples: Int
    /// Vector–Jacobian products per sampled step.
    var iterations: Int
    /// Draws the start vectors of the power iteration.
    var generator: Xoshiro256StarStar
    /// The measurements, in visiting order.
    var results: [CellDynamics] = []

    mutating func visit<C: Cell>(_ cell: C, path: String, inputs: Tensor<Scalar>)
    where C.Scalar == Scalar, C.State: RecurrentHiddenState<Scalar> {
        let steps = inputs.shape[0], batch = inputs.shape[1]
        let sampled = Set((1...max(1, samples)).map { max(0, min(steps - 1, $0 * steps / max(1, samples) - 1)) })
        var state = cell.zeroState(batchSize: batch)
        var radii: [Double] = []
        var saturations: [Double] = []
        for t in 0..<steps {
            let input = inputs[t]
            let (_, next, cache) = cell.step(input, state: state)
            if sampled.contains(t) {
                radii.append(jacobianRadius(cell, cache: cache, batch: batch))
                if let gated = cell as? any GatedRecurrentCell<Scalar>, let saturation = gateSaturation(gated, input: input, hidden: state.hidden) {
                    saturations.append(saturation)
                }
            }
            state = next
        }
        results.append(CellDynamics(
            path: path.isEmpty ? "cell" : path, hiddenSize: cell.hiddenSize, sampledSteps: sampled.sorted(), jacobianRadii: radii,
            gateSaturation: saturations.isEmpty ? nil : saturations.reduce(0, +) / Double(saturations.count)))
    }

    /// ρ(∂hₜ/∂hₜ₋₁) by power iteration on the transposed Jacobian, one independent iteration per
    /// sequence of the batch (the Jacobian is block-diagonal over the batch); the geometric mean
    /// over the batch of exp(mean log growth over the second half of the iterations).
    private mutating func jacobianRadius<C: Cell>(_ cell: C, cache: C.StepCache, batch: Int) -> Double
    where C.Scalar == Scalar, C.State: RecurrentHiddenState<Scalar> {
        let hidden = cell.hiddenSize
        var gradients = cell.parameters.zerosLike()
        let zeroOutput = Tensor<Scalar>.zeros([batch, hidden])
        let zeroState = cell.zeroState(batchSize: batch)
        var vector = Tensor<Scalar>(randomNormal: [batch, hidden], using: &generator)
        var logGrowth = [Double](repeating: 0, count: batch)
        var counted = 0
        for iteration in 0..<iterations {
            vector = normalizedRows(vector, batch: batch, hidden: hidden).tensor
            let back = cell.backwardStep(
                outputGradient: zeroOutput, stateGradient: zeroState.replacingHidden(vector), cache: cache, gradients: &gradients)
            vector = back.stateGradient.hidden
            if iteration >= iterations / 2 {
                let norms = rowNorms(vector, batch: batch, hidden: hidden)
                for row in 0..<batch { logGrowth[row] += Foundation.log(max(norms[row], 1e-300)) }
                counted += 1
            }
        }
        guard counted > 0 else { return .nan }
        let meanLog = logGrowth.reduce(0, +) / Double(batch * counted)
        return Foundation.exp(meanLog)
    }

    /// The fraction of gate pre-activations z = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh with |z| > 4.6.
    private func gateSaturation<G: GatedRecurrentCell>(_ cell: G, input: Tensor<Scalar>, hidden: Tensor<Scalar>) -> Double?
    where G.Scalar == Scalar {
        guard G.gateCount > 1 else { return nil }
        let z = input.matmul(cell.weightIH, transposeB: true) + cell.biasIH + hidden.matmul(cell.weightHH, transposeB: true) + cell.biasHH
        let values = z.scalars
        guard !values.isEmpty else { return nil }
        return Double(values.filter { Swift.abs(Double($0)) > 4.6 }.count) / Double(values.count)
    }
}

/// ‖row‖₂ of each row of a `[batch, hidden]` tensor.
func rowNorms<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>, batch: Int, hidden: Int) -> [Double] {
    let values = tensor.scalars
    return (0..<batch).map { row in
        var sum = 0.0
        for column in 0..<hidden { let value = Double(values[row * hidden + column]); sum += value * value }
        return sum.squareRoot()
    }
}

/// Each row scaled to unit norm (a zero row stays zero).
func normalizedRows<Scalar: TensorScalar>(_ tensor: Tensor<Scalar>, batch: Int, hidden: Int) -> (tensor: Tensor<Scalar>, norms: [Double]) {
    let norms = rowNorms(tensor, batch: batch, hidden: hidden)
    let scales = Tensor<Scalar>(shape: [batch, 1], scalars: norms.map { $0 > 0 && $0.isFinite ? Scalar(1 / $0) : 0 })
    return (tensor * scales, norms)
}

/// The median of finite values (NaN when there are none).
func median(_ values: [Double]) -> Double { percentile(values, 0.5) }

/// The `fraction` quantile of the finite values, by linear interpolation between order
/// statistics (NumPy's default); NaN when there are none.
func percentile(_ values: [Double], _ fraction: Double) -> Double {
    let sorted = values.filter(\.isFinite).sorted()
    guard !sorted.isEmpty else { return .nan }
    let position = fraction * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
    let weight = position - Double(lower)
    return sorted[lower] * (1 - weight) + sorted[upper] * weight
}
