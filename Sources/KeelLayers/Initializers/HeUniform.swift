/// He/Kaiming uniform: U(−a, a) with a = √3·gain/√fan, variance gain²/fan, where fan is fanIn
/// or fanOut (``FanMode``) and gain comes from the ``Nonlinearity`` (PyTorch's
/// `kaiming_uniform_`; the default, ReLU with fanIn, gives variance 2/fanIn).
///
/// ## References
/// - K. He et al., "Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet
///   Classification", ICCV 2015.
public struct HeUniform: Initializer {
    public var mode: FanMode
    public var nonlinearity: Nonlinearity

    public init(mode: FanMode = .fanIn, nonlinearity: Nonlinearity = .relu) {
        self.mode = mode
        self.nonlinearity = nonlinearity
    }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        let standardDeviation = nonlinearity.gain / Double(Self.fan(of: shape, mode: mode)).squareRoot()
        return Self.uniformTensor(shape, bound: 3.0.squareRoot() * standardDeviation, generator: &generator)
    }
}
