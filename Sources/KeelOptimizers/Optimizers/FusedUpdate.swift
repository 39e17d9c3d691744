// Plumbing shared by the optimizers: raw access to one tensor of a set for the fused kernels, the
// structural checks that keep those kernels in bounds, and schedule resolution.

extension ParameterSet {
    /// Calls `body` with a pointer to the scalars of the tensor at `index`, for writing (copying the
    /// storage first when it is shared).
    mutating func withMutableScalars<R>(at index: Int, _ body: (UnsafeMutablePointer<Scalar>) throws -> R) rethrows -> R {
        try withTensor(at: index) { tensor in
            try tensor.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
        }
    }

    /// Calls `body` with a pointer to the scalars of the tensor at `index`.
    func withScalars<R>(at index: Int, _ body: (UnsafePointer<Scalar>) throws -> R) rethrows -> R {
        try tensors[index].withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
}

extension Optional {
    /// Calls `body` with a pointer to the scalars of the tensor at `index` of the wrapped set, or
    /// with `nil` when there is no set (an option that keeps no buffer is off).
    mutating func withMutableScalars<Scalar: TensorScalar, R>(
        at index: Int, _ body: (UnsafeMutablePointer<Scalar>?) throws -> R
    ) rethrows -> R where Wrapped == ParameterSet<Scalar> {
        if self == nil { return try body(nil) }
        return try self!.withMutableScalars(at: index) { try body($0) }
    }
}

/// Checks that `updates` (and each of `others`) has the structure of the optimizer's state, so
/// every kernel stays inside its buffers.
func requireSameStructure<Scalar: TensorScalar>(
    _ updates: ParameterSet<Scalar>, _ state: ParameterSet<Scalar>, _ transform: String
) {
    precondition(
        updates.hasSameStructure(as: state),
        "\(transform): the updates (\(updates.keys.map(\.rawValue))) do not match the state made by makeState(for:) (\(state.keys.map(\.rawValue)))")
}

/// Checks that the context's parameters line up with the updates (weight decay reads them).
func requireParameters<Scalar: TensorScalar>(
    _ context: TransformContext<Scalar>, matching updates: ParameterSet<Scalar>, _ transform: String
) {
    precondition(
        context.parameters.hasSameStructure(as: updates),
        "\(transform): weight decay needs context.parameters shaped like the updates; got \(context.parameters.keys.map(\.rawValue)) for \(updates.keys.map(\.rawValue))")
}

/// Calls `body` with a pointer to the parameter tensor at `index`, or with `nil` when not `needed`.
func withParameterScalars<Scalar: TensorScalar, R>(
    _ context: TransformContext<Scalar>, at index: Int, needed: Bool, _ body: (UnsafePointer<Scalar>?) throws -> R
) rethrows -> R {
    guard needed else { return try body(nil) }
    return try context.parameters.withScalars(at: index) { try body($0) }
}

/// The learning rate in force at `step`: the schedule's value when there is one, else `base`.
func scheduledLearningRate(_ base: Double, _ schedule: (any LearningRateSchedule)?, at step: Int) -> Double {
    schedule?.value(at: step) ?? base
}

/// ``scheduledLearningRate(_:_:at:)`` divided by `divisor` (an optimizer's own decay, as
/// Adagrad's 1 + (t − 1)·η), also recorded in `context` as optimizer `name`'s learning rate this
/// step (a report that never counts as clipping), so a trainer logs the rate actually applied
/// rather than the nominal one.
func appliedLearningRate<S: TensorScalar>(
    _ name: String, _ base: Double, _ schedule: (any LearningRateSchedule)?, at step: Int, dividedBy divisor: Double = 1,
    in context: inout TransformContext<S>
) -> Double {
    let rate = scheduledLearningRate(base, schedule, at: step) / divisor
    context.reports.append(.optimizer(OptimizerReport(transform: name, learningRate: rate)))
    return rate
}
