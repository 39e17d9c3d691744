/// He/Kaiming uniform: U(−a, a) with a = √3·gain/√fan, variance gain²/fan, where fan is fanIn
/// or fanOut (``FanMode``) and gain comes from the ``Nonlinearity`` (PyTorch's
/// `kaiming_uniform_`; the default, ReLU with fanIn, gives variance 2/fanIn).
///
/// ## References
/// - K. He et al., "Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet
///   Classification", ICCV 2015.
public struct HeUniform: Initializer {
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
        return Self.uniformTensor(shape, bound: 3.0.squareRoot() * standardDeviation, generator: &generator)
    }
}
