import Foundation
import KeelConformance

// The mutant corpus's optimizers: elementwise optimizers written from scratch in the loop style a
// third party uses, each with one realistic bug (`.none` is the correct control), and the scalar
// references their authors would write to prove them.

/// Adam / AdamW (bias-corrected, optional decoupled weight decay), with one bug.
struct CorpusAdam: Optimizer {
    enum Bug: String, Sendable, CaseIterable {
        case none
        /// No bias correction.
        case noBiasCorrection
        /// Advances the step count twice per apply.
        case stepsTwice
        /// Updates the second moment only on the first step.
        case staleSecondMoment
        /// Declared decoupled, but adds λθ to the gradient (coupled L2).
        case couplesDecay
        /// Decoupled decay not multiplied by the learning rate (θ shrinks by λ).
        case decayIgnoresLearningRate
        /// Declares a decay and never applies it.
        case ignoresDecay
        /// Appends no learning-rate report.
        case noLearningRateReport
        /// Applies and reports its own rate, ignoring the trainer's multiplier in the context.
        case ignoresLearningRateMultiplier
        /// Bias correction from the context's step, not the state's.
        case biasCorrectionFromContext
        /// The step count is not encoded.
        case stepNotEncoded
    }

    struct State: Codable, Sendable {
        var m: [[Double]]
        var v: [[Double]]
        var step = 0
        var encodesStep = true
        enum CodingKeys: String, CodingKey { case m, v, step, encodesStep }
        init(m: [[Double]], v: [[Double]], encodesStep: Bool) {
            self.m = m
            self.v = v
            self.encodesStep = encodesStep
        }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            m = try container.decode([[Double]].self, forKey: .m)
            v = try container.decode([[Double]].self, forKey: .v)
            encodesStep = try container.decode(Bool.self, forKey: .encodesStep)
            step = try container.decodeIfPresent(Int.self, forKey: .step) ?? 0
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(m, forKey: .m)
            try container.encode(v, forKey: .v)
            try container.encode(encodesStep, forKey: .encodesStep)
            if encodesStep { try container.encode(step, forKey: .step) }
        }
    }

    typealias Scalar = Float
    var bug: Bug
    var learningRate: Double
    var beta1 = 0.9
    var beta2 = 0.999
    var epsilon = 1e-8
    var weightDecay = 0.0

    init(_ bug: Bug, learningRate: Double = 0.05, weightDecay: Double = 0) {
        self.bug = bug
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    /// A copy with another ε (a large ε breaks scale invariance).
    func withEpsilon(_ epsilon: Double) -> CorpusAdam {
        var copy = self
        copy.epsilon = epsilon
        return copy
    }

    func makeState(for parameters: ParameterSet<Float>) -> State {
        let zeros = parameters.tensors.map { [Double](repeating: 0, count: $0.scalarCount) }
        return State(m: zeros, v: zeros, encodesStep: bug != .stepNotEncoded)
    }

    func apply(to updates: inout ParameterSet<Float>, state: inout State, context: inout TransformContext<Float>) throws {
        let learningRate: Double
        switch bug {
        case .noLearningRateReport: learningRate = self.learningRate
        case .ignoresLearningRateMultiplier:
            learningRate = self.learningRate
            context.reports.append(.optimizer(OptimizerReport(transform: "CorpusAdam", learningRate: learningRate)))
        default: learningRate = context.applyLearningRate(self.learningRate, optimizer: "CorpusAdam")
        }
        state.step += bug == .stepsTwice ? 2 : 1
        let t = Double(bug == .biasCorrectionFromContext ? context.step + 1 : state.step)
        let c1 = bug == .noBiasCorrection ? 1 : 1 - pow(beta1, t)
        let c2 = bug == .noBiasCorrection ? 1 : 1 - pow(beta2, t)
        for index in updates.indices {
            let theta = context.parameters.tensors[index].scalars
            var g = updates.tensors[index].scalars.map(Double.init)
            if bug == .couplesDecay { for i in g.indices { g[i] += weightDecay * Double(theta[i]) } }
            var out = [Float](repeating: 0, count: g.count)
            for i in g.indices {
                state.m[index][i] = beta1 * state.m[index][i] + (1 - beta1) * g[i]
                if bug != .staleSecondMoment || state.step == 1 {
                    state.v[index][i] = beta2 * state.v[index][i] + (1 - beta2) * g[i] * g[i]
                }
                var step = -learningRate * (state.m[index][i] / c1) / ((state.v[index][i] / c2).squareRoot() + epsilon)
                switch bug {
                case .couplesDecay, .ignoresDecay: break
                case .decayIgnoresLearningRate: step -= weightDecay * Double(theta[i])
                default: step -= learningRate * weightDecay * Double(theta[i])
                }
                out[i] = Float(step)
            }
            updates.withTensor(at: index) { $0 = Tensor(shape: $0.shape, scalars: out) }
        }
    }

    /// The scalar reference: PyTorch's AdamW for one coordinate.
    @Sendable static func reference(
        gradients: [Double], parameters: [Double], learningRate: Double, weightDecay: Double
    ) -> [Double] {
        var m = 0.0, v = 0.0
        return gradients.indices.map { k in
            let t = Double(k + 1)
            m = 0.9 * m + 0.1 * gradients[k]
            v = 0.999 * v + 0.001 * gradients[k] * gradients[k]
            return -learningRate * weightDecay * parameters[k]
                - learningRate * (m / (1 - pow(0.9, t))) / ((v / (1 - pow(0.999, t))).squareRoot() + 1e-8)
        }
    }
}

/// AdaBelief (Zhuang et al. 2020): s tracks (g − m)², bias-corrected, with one bug.
struct CorpusAdaBelief: Optimizer {
    enum Bug: String, Sendable, CaseIterable {
        case none
        /// Tracks g² instead of (g − m)² (that is Adam).
        case tracksSquaredGradient
        /// Uses the previous m in (g − m)².
        case usesPreviousMoment
        /// Drops the ε added to s.
        case dropsInnerEpsilon
        /// No bias correction of s.
        case noSecondBiasCorrection
    }

    struct State: Codable, Sendable {
        var m: [[Double]]
        var s: [[Double]]
        var step = 0
    }

    typealias Scalar = Float
    var bug: Bug
    var learningRate: Double
    var epsilon = 1e-8

    init(_ bug: Bug, learningRate: Double = 0.05) {
        self.bug = bug
        self.learningRate = learningRate
    }

    func makeState(for parameters: ParameterSet<Float>) -> State {
        let zeros = parameters.tensors.map { [Double](repeating: 0, count: $0.scalarCount) }
        return State(m: zeros, s: zeros)
    }

    func apply(to updates: inout ParameterSet<Float>, state: inout State, context: inout TransformContext<Float>) throws {
        let learningRate = context.applyLearningRate(self.learningRate, optimizer: "CorpusAdaBelief")
        state.step += 1
        let t = Double(state.step)
        for index in updates.indices {
            let g = updates.tensors[index].scalars.map(Double.init)
            var out = [Float](repeating: 0, count: g.count)
            for i in g.indices {
                let previous = state.m[index][i]
                state.m[index][i] = 0.9 * previous + 0.1 * g[i]
                let centre = bug == .usesPreviousMoment ? previous : state.m[index][i]
                let deviation = bug == .tracksSquaredGradient ? g[i] * g[i] : (g[i] - centre) * (g[i] - centre)
                state.s[index][i] = 0.999 * state.s[index][i] + 0.001 * deviation + (bug == .dropsInnerEpsilon ? 0 : epsilon)
                let c2 = bug == .noSecondBiasCorrection ? 1 : 1 - pow(0.999, t)
                out[i] = Float(-learningRate * (state.m[index][i] / (1 - pow(0.9, t))) / ((state.s[index][i] / c2).squareRoot() + epsilon))
            }
            updates.withTensor(at: index) { $0 = Tensor(shape: $0.shape, scalars: out) }
        }
    }

    /// The scalar reference, from the paper's Algorithm 2.
    @Sendable static func reference(gradients: [Double], parameters: [Double], learningRate: Double) -> [Double] {
        var m = 0.0, s = 0.0
        return gradients.indices.map { k in
            let t = Double(k + 1)
            m = 0.9 * m + 0.1 * gradients[k]
            s = 0.999 * s + 0.001 * (gradients[k] - m) * (gradients[k] - m) + 1e-8
            return -learningRate * (m / (1 - pow(0.9, t))) / ((s / (1 - pow(0.999, t))).squareRoot() + 1e-8)
        }
    }
}

/// SGD with momentum and coupled L2 weight decay (PyTorch's `SGD(momentum:, weight_decay:)`),
/// with one bug.
struct CorpusMomentumSGD: Optimizer {
    enum Bug: String, Sendable, CaseIterable {
        case none
        /// Applies the decay outside the momentum buffer (decoupled, though declared coupled).
        case decayOutsideMomentum
        /// Dampens the gradient by (1 − μ).
        case dampensGradient
        /// Nesterov look-ahead applied although not configured.
        case nesterovByMistake
        /// −γ²·g: the learning rate squared.
        case squaredLearningRate
        /// The velocity is not encoded.
        case velocityNotEncoded
    }

    struct State: Codable, Sendable {
        var velocity: [[Double]]
        var encodes = true
        enum CodingKeys: String, CodingKey { case velocity, encodes }
        init(velocity: [[Double]], encodes: Bool) {
            self.velocity = velocity
            self.encodes = encodes
        }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            encodes = try container.decode(Bool.self, forKey: .encodes)
            velocity = try container.decodeIfPresent([[Double]].self, forKey: .velocity) ?? []
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(encodes, forKey: .encodes)
            if encodes { try container.encode(velocity, forKey: .velocity) }
        }
    }

    typealias Scalar = Float
    var bug: Bug
    var learningRate: Double
    var momentum = 0.9
    var weightDecay: Double

    init(_ bug: Bug, learningRate: Double = 0.02, weightDecay: Double = 0) {
        self.bug = bug
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }

    func makeState(for parameters: ParameterSet<Float>) -> State {
        State(velocity: parameters.tensors.map { [Double](repeating: 0, count: $0.scalarCount) }, encodes: bug != .velocityNotEncoded)
    }

    func apply(to updates: inout ParameterSet<Float>, state: inout State, context: inout TransformContext<Float>) throws {
        if state.velocity.count != updates.count { state.velocity = updates.tensors.map { [Double](repeating: 0, count: $0.scalarCount) } }
        let learningRate = context.applyLearningRate(self.learningRate, optimizer: "CorpusMomentumSGD")
        let rate = bug == .squaredLearningRate ? learningRate * learningRate : learningRate
        for index in updates.indices {
            let theta = context.parameters.tensors[index].scalars
            let g = updates.tensors[index].scalars.map(Double.init)
            var out = [Float](repeating: 0, count: g.count)
            for i in g.indices {
                let decayed = bug == .decayOutsideMomentum ? g[i] : g[i] + weightDecay * Double(theta[i])
                state.velocity[index][i] = momentum * state.velocity[index][i] + (bug == .dampensGradient ? 1 - momentum : 1) * decayed
                var direction = bug == .nesterovByMistake ? decayed + momentum * state.velocity[index][i] : state.velocity[index][i]
                if bug == .decayOutsideMomentum { direction += weightDecay * Double(theta[i]) }
                out[i] = Float(-rate * direction)
            }
            updates.withTensor(at: index) { $0 = Tensor(shape: $0.shape, scalars: out) }
        }
    }

    /// The scalar reference: PyTorch's SGD with momentum 0.9 and coupled decay.
    @Sendable static func reference(gradients: [Double], parameters: [Double], learningRate: Double, weightDecay: Double) -> [Double] {
        var velocity = 0.0
        return gradients.indices.map { k in
            velocity = 0.9 * velocity + gradients[k] + weightDecay * parameters[k]
            return -learningRate * velocity
        }
    }
}
