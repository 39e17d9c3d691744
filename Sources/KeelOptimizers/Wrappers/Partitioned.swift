/// Routes each parameter to the transform of its group, like PyTorch's parameter groups: a
/// labelling function names a group for every key, and each group has its own transform and
/// state.
///
/// All groups share one transform type; for groups of different types (Adam for the encoder,
/// SGD for the head), wrap each in ``AnyGradientTransform``. Each group's transform sees only its
/// group's updates and parameters. Groups run in the order of their labels, sorted.
///
/// ```swift
/// let groups = Partitioned(
///     ["decay": AnyGradientTransform(decayedAdam), "plain": AnyGradientTransform(adam)]
/// ) { $0.name.hasPrefix("bias") ? "plain" : "decay" }
/// ```
///
/// - Precondition: every key's label has a transform.
///
/// ## References
/// - Optax `partition` / `multi_transform` (`optax/transforms/_combining.py`); PyTorch
///   `param_groups`.
public struct Partitioned<Inner: GradientTransform>: GradientTransform {
    public typealias Scalar = Inner.Scalar
    public typealias State = PartitionedState<Inner.State>

    /// The transform of each group, by label.
    public let transforms: [String: Inner]
    /// The label of a parameter's group.
    public let label: @Sendable (ParameterKey) -> String
    private let orderedLabels: [String]

    /// Transforms applied group by group, each parameter going to `transforms[label(key)]`.
    public init(_ transforms: [String: Inner], label: @escaping @Sendable (ParameterKey) -> String) {
        self.transforms = transforms
        self.label = label
        orderedLabels = transforms.keys.sorted()
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        let labels = labels(of: parameters.keys)
        var groups: [String: Inner.State] = [:]
        for name in orderedLabels {
            groups[name] = transforms[name]!.makeState(for: parameters.filter { labels[$0] == name })
        }
        return State(groups: groups)
    }

    /// The rate of the last group (in label order) that has one: the group whose optimizer
    /// reports last, as a trainer logs it.
    public func scheduledLearningRate(state: State, step: Int) -> Double? {
        for name in orderedLabels.reversed() {
            if let group = state.groups[name], let rate = transforms[name]!.scheduledLearningRate(state: group, step: step) {
                return rate
            }
        }
        return nil
    }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        let keys = updates.keys
        let labels = labels(of: keys)
        var parts: [ParameterSet<Scalar>] = []
        for name in orderedLabels {
            let (group, rest) = updates.split(selecting: updates.keys.map { labels[$0] == name })
            parts.append(group)
            updates = rest
        }
        let allParameters = context.parameters
        defer {
            context.parameters = allParameters
            updates = ParameterSet.merging(parts, order: keys)
        }
        for (position, name) in orderedLabels.enumerated() {
            context.parameters = allParameters.filter { labels[$0] == name }
            try transforms[name]!.apply(to: &parts[position], state: &state.groups[name]!, context: &context)
        }
    }

    private func labels(of keys: [ParameterKey]) -> [ParameterKey: String] {
        var labels: [ParameterKey: String] = [:]
        for key in keys {
            let name = label(key)
            precondition(
                transforms[name] != nil,
                "Partitioned: \(key) is labelled \"\(name)\", which has no transform; labels are \(orderedLabels)")
            labels[key] = name
        }
        return labels
    }
}
