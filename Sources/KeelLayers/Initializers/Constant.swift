/// Fills a tensor with one value, for example an LSTM forget-gate bias of 1.
public struct Constant: Initializer {
    /// The value of every element.
    public var value: Double

    /// Fills with `value`.
    public init(_ value: Double) { self.value = value }

    public func makeTensor<Scalar: TensorScalar, G: RandomNumberGenerator>(_ shape: [Int], generator: inout G) -> Tensor<Scalar> {
        .filled(shape, with: Scalar(value))
    }
}
