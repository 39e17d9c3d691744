/// A single ``Recurrent`` layer is a stateful sequence model: windows carry the cell's state.
extension Recurrent: StatefulSequenceModel {
    /// Whether every step is output (``Recurrent/returnsSequences``).
    public var outputsSequence: Bool { returnsSequences }

    /// `["weightHH"]`, the cell's recurrent weight.
    public var recurrentWeightKeys: [ParameterKey] {
        var keys: [ParameterKey] = []
        visitParameters { key, _ in if key.name == "weightHH" { keys.append(key) } }
        return keys
    }

    /// ``Recurrent/backward(_:finalStateGradient:cache:gradients:context:)`` with no final-state
    /// gradient; the context receives the one layer's profile.
    public func backward(
        _ outputGradient: Tensor<Scalar>, cache: RecurrentCache<C>, gradients: inout ParameterSet<Scalar>,
        context: inout SequenceBackwardContext
    ) -> Tensor<Scalar> {
        backward(outputGradient, finalStateGradient: nil, cache: cache, gradients: &gradients, context: &context).inputGradient
    }
}
