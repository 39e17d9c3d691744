extension Prescription {
    /// The structural topics: decided from the measurements at initialization.
    static let structuralTopics: Set<Topic> = [.initialization, .cell, .regularizer, .truncation]

    /// Whether this prescription changes the model or its backpropagation (initialization, cell,
    /// regularizer or truncation): what a further round of diagnosis on the treated model checks.
    public var changesStructure: Bool {
        initialization != .keep || cell != .keep || vanishingGradientRegularizer != nil || truncation != nil
    }

    /// This prescription (written for a model already treated by `earlier`) folded into `earlier`:
    /// the user's set-up is `earlier`'s; each structural decision is this one's where it changes
    /// something and `earlier`'s otherwise, so the words of both rounds survive.
    ///
    /// Used when the doctor diagnoses the treated model again, e.g. a tanh RNN first re-initialized
    /// orthogonally whose profile then still vanishes before the task's lag.
    public func merged(after earlier: Prescription) -> Prescription {
        var result = earlier
        if initialization != .keep { result.initialization = initialization }
        if cell != .keep {
            result.cell = cell
            result.gatedCell = gatedCell
        }
        if let alpha = vanishingGradientRegularizer { result.vanishingGradientRegularizer = alpha }
        if let window = truncation { result.truncation = window }
        result.items = earlier.items.map { item in
            guard Self.structuralTopics.contains(item.topic), let later = items.first(where: { $0.topic == item.topic }) else {
                return item
            }
            switch (item.changes, later.changes) {
            case (true, true):
                return Item(topic: item.topic, changes: true, advice: later.advice, evidence: item.evidence + " Then, on the treated model: " + later.evidence)
            case (true, false):
                return item
            case (false, _):
                return Item(topic: item.topic, changes: later.changes, advice: later.advice, evidence: "On the treated model: " + later.evidence)
            }
        }
        return result
    }
}
