/// SPAM-style spike-aware clipping: clips each element against a running second moment,
/// gᵢ ← sign(gᵢ)·√(θ·Vᵢ) when gᵢ² > θ·Vᵢ.
///
/// SPAM clips against Adam's second moment. To compose with any optimizer, this clipper keeps
/// its own: an exponential moving average of the squared *clipped* gradients, without bias
/// correction, as in Adam,
///
///     Vᵢ ← β₂·Vᵢ + (1 − β₂)·gᵢ′²   (β₂ = 0.999 by default, Adam's),
///
/// and compares each step's gradient with V from the steps before. Rules at the edges:
/// - no clipping during the first `warmupSteps` steps (V is still 0; default 1);
/// - an element whose Vᵢ is 0 is not clipped (a parameter that never had a gradient would
///   otherwise be frozen at zero for ever);
/// - a non-finite element is left as is and does not enter V.
///
/// One fused pass per tensor reads g and V and writes both (concrete `Float`/`Double` code).
///
/// - Parameters:
///   - theta: θ, the spike ratio (5,000 in SPAM: an element must exceed √5000 ≈ 71 times its
///     running RMS).
///   - beta2: β₂, the decay of V.
///   - warmupSteps: Steps during which V is only accumulated.
///
/// ## References
/// - Huang, Zhu, Jin, Liu, Wang, Liu. *SPAM: Spike-Aware Adam with Momentum Reset for Stable LLM
///   Training*. ICLR 2025 (arXiv:2501.06842).
public struct SpikeClipper<Scalar: TensorScalar>: ThresholdClipper {
    public typealias State = SpikeClipperState<Scalar>

    /// θ, how many times the running second moment a squared element may reach.
    public var theta: Double
    /// β₂, the decay of the running second moment.
    public var beta2: Double
    /// Steps during which V is accumulated without clipping.
    public var warmupSteps: Int

    /// SPAM clipping at ratio `theta`.
    ///
    /// - Precondition: `theta` > 0, 0 ≤ `beta2` < 1, `warmupSteps` ≥ 0.
    public init(theta: Double = 5000, beta2: Double = 0.999, warmupSteps: Int = 1) {
        precondition(theta > 0, "SpikeClipper: theta must be > 0, got \(theta)")
        precondition(beta2 >= 0 && beta2 < 1, "SpikeClipper: beta2 must be in [0, 1), got \(beta2)")
        precondition(warmupSteps >= 0, "SpikeClipper: warmupSteps must be >= 0, got \(warmupSteps)")
        self.theta = theta
        self.beta2 = beta2
        self.warmupSteps = warmupSteps
    }

    public var threshold: Double {
        get { theta }
        set { theta = newValue }
    }

    public var guarantee: ClippingGuarantee { .secondMomentRatio(theta: theta) }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State {
        State(secondMoment: parameters.zerosLike())
    }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        precondition(
            updates.hasSameStructure(as: state.secondMoment),
            "SpikeClipper: the updates' keys or shapes differ from those the state was made for")
        let clipping = state.step >= warmupSteps
        var totals = SpikeTotals()
        for index in updates.indices {
            updates.withTensor(at: index) { gradient in
                state.secondMoment.withTensor(at: index) { moment in
                    spikeClip(&gradient, &moment, theta: theta, beta2: beta2, clipping: clipping, totals: &totals)
                }
            }
        }
        state.step += 1
        context.reports.append(
            .clip(ClipReport(
                transform: "SpikeClipper", fired: totals.clipped > 0, normBefore: totals.squaresBefore.squareRoot(),
                normAfter: totals.squaresAfter.squareRoot(), coefficient: nil, threshold: theta,
                detail: totals.clipped > 0 ? "\(totals.clipped) elements clipped" : nil)))
    }
}

struct SpikeTotals {
    var clipped = 0
    var squaresBefore = 0.0
    var squaresAfter = 0.0
}

private func spikeClip<Scalar: TensorScalar>(
    _ gradient: inout Tensor<Scalar>, _ moment: inout Tensor<Scalar>, theta: Double, beta2: Double, clipping: Bool,
    totals: inout SpikeTotals
) {
    gradient.withUnsafeMutableBufferPointer { g in
        moment.withUnsafeMutableBufferPointer { v in
            if Scalar.self == Float.self {
                g.withMemoryRebound(to: Float.self) { g in
                    v.withMemoryRebound(to: Float.self) { v in
                        spikeClipLoop(g, v, theta: Float(theta), beta2: Float(beta2), clipping: clipping, totals: &totals)
                    }
                }
            } else if Scalar.self == Double.self {
                g.withMemoryRebound(to: Double.self) { g in
                    v.withMemoryRebound(to: Double.self) { v in
                        spikeClipLoop(g, v, theta: theta, beta2: beta2, clipping: clipping, totals: &totals)
                    }
                }
            } else {
                spikeClipLoop(g, v, theta: Scalar(theta), beta2: Scalar(beta2), clipping: clipping, totals: &totals)
            }
        }
    }
}

// Called with concrete Float or Double buffers, so it is specialized (see Tensor+PipelineKernels).
@inline(__always)
private func spikeClipLoop<T: BinaryFloatingPoint>(
    _ g: UnsafeMutableBufferPointer<T>, _ v: UnsafeMutableBufferPointer<T>, theta: T, beta2: T, clipping: Bool,
    totals: inout SpikeTotals
) {
    var clipped = 0
    var before = 0.0
    var after = 0.0
    let oneMinusBeta2 = 1 - beta2
    for index in g.indices {
        var value = g[index]
        guard value.isFinite else { continue }
        let square = value * value
        before += Double(square)
        let limit = theta * v[index]
        if clipping && v[index] > 0 && square > limit {
            let bound = limit.squareRoot()
            value = value < 0 ? -bound : bound
            g[index] = value
            clipped += 1
        }
        let clippedSquare = value * value
        after += Double(clippedSquare)
        v[index] = beta2 * v[index] + oneMinusBeta2 * clippedSquare
    }
    totals.clipped += clipped
    totals.squaresBefore += before
    totals.squaresAfter += after
}
