/// The state of ``InjectHyperparameters``: the inner transform's state and the value in force at
/// the last step.
public struct InjectHyperparametersState<InnerState: Codable & Sendable>: Codable, Sendable {
    /// The inner transform's state.
    public var inner: InnerState
    /// The hyperparameter's value at the last step (`nil` before the first).
    public var value: Double?

    /// A state before the first step.
    public init(inner: InnerState) {
        self.inner = inner
    }
}

extension InjectHyperparametersState: Equatable where InnerState: Equatable {}
