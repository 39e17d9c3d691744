/// The kind of target a ``SyntheticTask`` produces, and so the loss a model is trained with.
public enum SyntheticTaskTarget: Sendable, Hashable, Codable {
    /// A real number at the end of the sequence; targets `[batch, 1]`; mean squared error.
    case regression
    /// One class at the end of the sequence; targets `[batch]` class indices; cross-entropy.
    case classification(classes: Int)
    /// One class at every time step; targets `[time, batch]` class indices; cross-entropy
    /// averaged over all steps.
    case sequenceClassification(classes: Int)
}
