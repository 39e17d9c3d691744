/// He/Kaiming normal: N(0, σ²) with σ = gain/√fan (PyTorch's `kaiming_normal_`).
///
/// ## References
/// - K. He et al., "Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet
///   Classification", ICCV 2015.
public struct HeNormal: Initializer {
    /// The fan the variance is divided by.
    public var mode: FanMode
    /// The nonlinearity that follows the layer, which sets the gain.
    public var nonlinearity: Nonlinearity

    /// An initializer for `mode` and `nonlinearity` (default: fanIn, ReLU).
    public init(mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .relu) {
        self.mode = mode
        self.nonlinearity = nonlinearity
    }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        let standardDeviation = nonlinearity.gain / Double(Self.fan(of: shape, mode: mode)).squareRoot()
        return Self.normalTensor(shape, standardDeviation: standardDeviation, generator: &generator)
    }
}
