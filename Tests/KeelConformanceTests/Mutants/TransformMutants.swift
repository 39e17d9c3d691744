import Foundation
import KeelConformance

// Deliberately broken gradient transforms: each breaks one GradientTransformLaw.

/// Breaks keysAndShapesPreserved: renames every key.
struct RenamingTransform: GradientTransform {
    typealias Scalar = Float
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        updates = ParameterSet(zip(updates.keys, updates.tensors).map { (ParameterKey($0.rawValue + "Renamed"), $1) })
    }
}

/// Breaks deterministic: adds noise from the system generator.
struct NoisyTransform: GradientTransform {
    typealias Scalar = Float
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        var generator = SystemRandomNumberGenerator()
        updates = updates.map { $0 + Float.random(in: 1e-3..<2e-3, using: &generator) }
    }
}

/// A reference-typed accumulator: copying the state shares it.
final class SharedSum: Codable, @unchecked Sendable {
    var sum: ParameterSet<Float>
    init(_ sum: ParameterSet<Float>) { self.sum = sum }
}

/// Breaks valueSemantics: momentum kept in a class, so copies of the state alias.
struct AliasingMomentum: GradientTransform {
    typealias Scalar = Float
    struct State: Codable, Sendable { var box: SharedSum }
    func makeState(for parameters: ParameterSet<Float>) -> State { State(box: SharedSum(parameters.zerosLike())) }
    func apply(to updates: inout ParameterSet<Float>, state: inout State, context: inout TransformContext<Float>) throws {
        state.box.sum.add(updates)
        updates = state.box.sum
    }
}

/// Breaks codableRoundTrip: the velocity is not encoded.
struct ForgetfulMomentum: GradientTransform {
    typealias Scalar = Float
    struct State: Codable, Sendable {
        var velocity: ParameterSet<Float>?
        var step = 0
        enum CodingKeys: String, CodingKey { case step }
    }
    func makeState(for parameters: ParameterSet<Float>) -> State { State(velocity: parameters.zerosLike()) }
    func apply(to updates: inout ParameterSet<Float>, state: inout State, context: inout TransformContext<Float>) throws {
        var velocity = state.velocity ?? updates.zerosLike()
        velocity.scale(by: 0.9)
        velocity.add(updates)
        state.velocity = velocity
        state.step += 1
        updates = velocity
    }
}

/// Breaks compositionInvariance: uses the number of reports in the context as a step counter.
struct ReportCountingTransform: GradientTransform {
    typealias Scalar = Float
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        updates.scale(by: 1 / Float(1 + context.reports.count))
        context.reports.append(.note(TransformNote(transform: "ReportCountingTransform", fired: true)))
    }
}

/// Breaks finiteInFiniteOut: normalizes by the norm, so a zero gradient becomes NaN.
struct NormalizingTransform: GradientTransform {
    typealias Scalar = Float
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        updates.scale(by: Float(1 / updates.globalNorm(.l2)))
    }
}

/// Breaks advancesOncePerApply: a stateful transform whose state advances only on even steps.
struct LazyMomentum: GradientTransform {
    typealias Scalar = Float
    struct State: Codable, Sendable { var velocity: ParameterSet<Float> }
    func makeState(for parameters: ParameterSet<Float>) -> State { State(velocity: parameters.zerosLike()) }
    func apply(to updates: inout ParameterSet<Float>, state: inout State, context: inout TransformContext<Float>) throws {
        if context.step.isMultiple(of: 2) { state.velocity.add(updates) }
        updates = updates + state.velocity
    }
}

/// A step counter outside the state.
final class HiddenCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}

/// Breaks advancesOncePerApply (and deterministic): keeps a counter in the transform itself.
struct HiddenStateTransform: GradientTransform {
    typealias Scalar = Float
    let counter = HiddenCounter()
    func makeState(for parameters: ParameterSet<Float>) -> EmptyTransformState { EmptyTransformState() }
    func apply(to updates: inout ParameterSet<Float>, state: inout EmptyTransformState, context: inout TransformContext<Float>) throws {
        updates.scale(by: Float(counter.next()))
    }
}
