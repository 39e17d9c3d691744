import Foundation
import KeelConformance

// The mutant corpus's plain transforms: history-keeping transforms whose bugs show only after
// several steps or a Codable round trip.

/// Divides each update by the RMS of the last `capacity` global norms (a ring buffer), with one bug.
struct CorpusRingNormalizer: GradientTransform {
    enum Bug: String, Sendable, CaseIterable {
        case none
        /// The write index is not encoded (decodes as 0).
        case indexNotEncoded
    }

    struct State: Codable, Sendable {
        var norms: [Double] = []
        var next = 0
        var encodesIndex = true
        enum CodingKeys: String, CodingKey { case norms, next, encodesIndex }
        init(encodesIndex: Bool) { self.encodesIndex = encodesIndex }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            norms = try container.decode([Double].self, forKey: .norms)
            encodesIndex = try container.decode(Bool.self, forKey: .encodesIndex)
            next = try container.decodeIfPresent(Int.self, forKey: .next) ?? 0
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(norms, forKey: .norms)
            try container.encode(encodesIndex, forKey: .encodesIndex)
            if encodesIndex { try container.encode(next, forKey: .next) }
        }
    }

    typealias Scalar = Float
    var bug: Bug
    var capacity = 6

    func makeState(for parameters: ParameterSet<Float>) -> State { State(encodesIndex: bug != .indexNotEncoded) }

    func apply(to updates: inout ParameterSet<Float>, state: inout State, context: inout TransformContext<Float>) throws {
        let norm = updates.globalNorm(.l2)
        if state.norms.count < capacity {
            state.norms.append(norm)
        } else {
            state.norms[state.next] = norm
        }
        state.next = (state.next + 1) % capacity
        let rms = (state.norms.reduce(0) { $0 + $1 * $1 } / Double(state.norms.count)).squareRoot()
        if rms > 0 { updates.scale(by: Float(1 / rms)) }
    }
}

/// A bias-corrected exponential moving average of the updates (momentum à la Adam's m̂), with one bug.
struct CorpusBiasCorrectedAverage: GradientTransform {
    enum Bug: String, Sendable, CaseIterable {
        case none
        /// The step count is not encoded.
        case countNotEncoded
    }

    struct State: Codable, Sendable {
        var average: ParameterSet<Float>
        var count = 0
        var encodesCount = true
        enum CodingKeys: String, CodingKey { case average, count, encodesCount }
        init(average: ParameterSet<Float>, encodesCount: Bool) {
            self.average = average
            self.encodesCount = encodesCount
        }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            average = try container.decode(ParameterSet<Float>.self, forKey: .average)
            encodesCount = try container.decode(Bool.self, forKey: .encodesCount)
            count = try container.decodeIfPresent(Int.self, forKey: .count) ?? 0
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(average, forKey: .average)
            try container.encode(encodesCount, forKey: .encodesCount)
            if encodesCount { try container.encode(count, forKey: .count) }
        }
    }

    typealias Scalar = Float
    var bug: Bug
    var beta = 0.8

    func makeState(for parameters: ParameterSet<Float>) -> State {
        State(average: parameters.zerosLike(), encodesCount: bug != .countNotEncoded)
    }

    func apply(to updates: inout ParameterSet<Float>, state: inout State, context: inout TransformContext<Float>) throws {
        state.count += 1
        state.average.scale(by: Float(beta))
        state.average.add(updates, scaledBy: Float(1 - beta))
        let t = Double(state.count)
        updates = state.average.scaled(by: Float(1 / (1 - pow(beta, t))))
    }
}
