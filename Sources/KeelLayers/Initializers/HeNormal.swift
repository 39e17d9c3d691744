/// He/Kaiming normal: N(0, σ²) with σ = gain/√fan (PyTorch's `kaiming_normal_`).
///
/// ## References
/// - K. He et al., "Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet
///   Classification", ICCV 2015.
public struct HeNormal: Initializer {
    public var mode: FanMode
    public var nonlinearity: Nonlinearity

    public init(mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .relu) {
        self.mode = mode
        self.nonlinearity = nonlinearity
    }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        let standardDeviation = nonlinearity.gain / Double(Self.fan(of: shape, mode: mode)).squareRoot()
        return Self.normalTensor(shape, standardDeviation: standardDeviation, generator: &generator)
    }
}
