// Plumbing shared by the optimizers: kernel access to one tensor of a set for the fused kernels, the
// structural checks that keep those kernels in bounds, and schedule resolution.

extension ParameterSet {
    /// The scalars of the tensor at `index`, for a kernel to write: the storage is made unique
    /// first, and the address stays valid while the set holds that tensor (for the duration of the
    /// optimizer's `apply`). One call per buffer replaces a nest of `with…Pointer` closures.
    mutating func kernelOutput(at index: Int) -> UnsafeMutablePointer<Scalar> {
        withTensor(at: index) { $0.mutableBaseAddress() }
    }

    /// The scalars of the tensor at `index`, for a kernel to read.
    func kernelInput(at index: Int) -> UnsafePointer<Scalar> { tensors[index].baseAddress }
}

extension Optional {
    /// ``ParameterSet/kernelOutput(at:)`` of the wrapped set, or `nil` when there is no set (an
    /// option that keeps no buffer is off).
    mutating func kernelOutput<Scalar: TensorScalar>(at index: Int) -> UnsafeMutablePointer<Scalar>?
    where Wrapped == ParameterSet<Scalar> {
        self == nil ? nil : self!.kernelOutput(at: index)
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

/// The parameter tensor at `index` for a kernel to read, or `nil` when not `needed` (no weight
/// decay).
func parameterInput<Scalar: TensorScalar>(_ context: TransformContext<Scalar>, at index: Int, needed: Bool) -> UnsafePointer<Scalar>? {
    needed ? context.parameters.kernelInput(at: index) : nil
}

/// The learning rate in force at `step`: the schedule's value when there is one, else `base`.
func rateInForce(_ base: Double, _ schedule: (any LearningRateSchedule)?, at step: Int) -> Double {
    schedule?.value(at: step) ?? base
}

/// ``rateInForce(_:_:at:)`` divided by `divisor` (an optimizer's own decay, as
/// Adagrad's 1 + (t − 1)·η) × the trainer's multiplier, also recorded in `context` as optimizer
/// `name`'s learning rate this step, so a trainer logs the rate actually applied.
func appliedLearningRate<S: TensorScalar>(
    _ name: String, _ base: Double, _ schedule: (any LearningRateSchedule)?, at step: Int, dividedBy divisor: Double = 1,
    in context: inout TransformContext<S>
) -> Double {
    context.applyLearningRate(rateInForce(base, schedule, at: step) / divisor, optimizer: name)
}
