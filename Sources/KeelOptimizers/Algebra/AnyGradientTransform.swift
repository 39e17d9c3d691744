import Foundation

/// A type-erased `GradientTransform`, for configuration files, plugins and collections of
/// transforms of different types (a ``Partitioned`` whose groups use different optimizers).
///
/// Inside a program prefer the static ``Chain``: it is specialized, this is not. Erasure costs
/// one indirect call per step, never a copy of the wrapped state: the concrete state lives in a
/// heap box that ``AnyTransformState`` owns uniquely and that the wrapped transform mutates in
/// place, so an optimizer's moment tensors keep their storage from step to step. Copying an
/// ``AnyTransformState`` (a checkpoint, a rollback snapshot) keeps value semantics: the next step
/// of either copy detaches it first.
///
/// The state encodes as `{"type": …, "state": …}`. Decoding needs the concrete state type, which
/// only the transform knows: decode through ``decodeState(from:using:)``, or register the
/// transform in ``AnyTransformStateDecoders`` and put them in the decoder's `userInfo` when an
/// erased state is nested in a larger one.
///
/// ```swift
/// let erased = AnyGradientTransform(Chain { GlobalNormClipper<Float>(maxNorm: 1); Scale<Float>(-0.1) })
/// var state = erased.makeState(for: parameters)
/// try erased.apply(to: &gradients, state: &state, context: &context)
/// let restored = try erased.decodeState(from: JSONEncoder().encode(state))
/// ```
public struct AnyGradientTransform<Scalar: TensorScalar>: GradientTransform {
    public typealias State = AnyTransformState

    /// The wrapped transform.
    public let base: any GradientTransform<Scalar>
    /// The name of the wrapped transform's concrete state type, the tag of its encoded state.
    public let stateTypeName: String
    private let makeStateBody: @Sendable (ParameterSet<Scalar>) -> AnyTransformState
    private let applyBody:
        @Sendable (inout ParameterSet<Scalar>, AnyTransformStateStorage, inout TransformContext<Scalar>) throws -> Void
    private let decodeBody: @Sendable (any Decoder) throws -> AnyTransformStateStorage
    private let learningRateBody: @Sendable (AnyTransformStateStorage, Int) -> Double?

    /// Erases `transform`'s type. Erasing an erased transform returns it unchanged.
    public init<T: GradientTransform>(_ transform: T) where T.Scalar == Scalar {
        if let erased = transform as? AnyGradientTransform<Scalar> {
            self = erased
            return
        }
        base = transform
        let typeName = String(reflecting: T.State.self)
        stateTypeName = typeName
        makeStateBody = { parameters in
            AnyTransformState(storage: ConcreteTransformStateStorage(transform.makeState(for: parameters), typeName: typeName))
        }
        applyBody = { updates, storage, context in
            guard let concrete = storage as? ConcreteTransformStateStorage<T.State> else {
                preconditionFailure(
                    "AnyGradientTransform: a state of type \(storage.typeName) was given to a transform whose state is \(typeName)")
            }
            try transform.apply(to: &updates, state: &concrete.value, context: &context)
        }
        learningRateBody = { storage, step in
            guard let concrete = storage as? ConcreteTransformStateStorage<T.State> else {
                preconditionFailure(
                    "AnyGradientTransform: a state of type \(storage.typeName) was given to a transform whose state is \(typeName)")
            }
            return transform.scheduledLearningRate(state: concrete.value, step: step)
        }
        decodeBody = { decoder in
            ConcreteTransformStateStorage(try T.State(from: decoder), typeName: typeName)
        }
    }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { makeStateBody(parameters) }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        state.makeStorageUnique()
        try applyBody(&updates, state.storage, &context)
    }

    /// The wrapped transform's `GradientTransform.scheduledLearningRate(state:step:)`.
    public func scheduledLearningRate(state: State, step: Int) -> Double? {
        learningRateBody(state.storage, step)
    }

    /// Adds this transform's state decoder to `decoders`.
    public func registerStateDecoder(in decoders: inout AnyTransformStateDecoders) {
        decoders.table[stateTypeName] = decodeBody
    }

    /// Decoders that know this transform's state type.
    public var stateDecoders: AnyTransformStateDecoders {
        var decoders = AnyTransformStateDecoders()
        registerStateDecoder(in: &decoders)
        return decoders
    }

    /// Decodes a state encoded from this transform's state (or from a state holding erased
    /// states of this transform's type).
    ///
    /// - Throws: `DecodingError` when the data is not such a state.
    public func decodeState(from data: Data, using decoder: JSONDecoder = JSONDecoder()) throws -> State {
        let configured = decoder
        stateDecoders.install(in: configured)
        return try configured.decode(State.self, from: data)
    }
}
