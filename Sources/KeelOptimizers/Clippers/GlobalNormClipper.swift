/// Clips the whole set of updates, taken as one vector, to a maximal norm:
/// g ← g·(c/‖g‖) when ‖g‖ > c, otherwise g unchanged (bit for bit).
///
/// The coefficient is exactly c/‖g‖, with no ε. PyTorch's `clip_grad_norm_` multiplies by
/// min(1, c/(‖g‖ + 10⁻⁶)) on every step, so it shrinks slightly even below the threshold and
/// lands slightly under c above it; Optax's `clip_by_global_norm` uses c/‖g‖ as here.
///
/// Cost: one pass over memory to measure the norm (accumulated in `Double`), and a second pass
/// to scale only when the rule fires. The norm after clipping is reported as c·‖g‖/‖g‖ without a
/// third pass.
///
/// A non-finite norm (NaN or ±∞ in some gradient) is handled by ``nonFinitePolicy``; the report's
/// detail names the first non-finite parameter.
///
/// - Parameters:
///   - maxNorm: c ≥ 0, the largest norm the output may have.
///   - norm: The norm measured: `VectorNorm.l2` (default), `VectorNorm.l1` or
///     `VectorNorm.infinity`.
///   - nonFinitePolicy: What to do when the norm is NaN or ±∞ (default ``NonFinitePolicy/propagate``).
///
/// ## References
/// - Pascanu, Mikolov, Bengio. *On the difficulty of training recurrent neural networks*. ICML
///   2013 (arXiv:1211.5063).
/// - PyTorch `torch.nn.utils.clip_grad_norm_`; Optax `clip_by_global_norm`.
public struct GlobalNormClipper<Scalar: TensorScalar>: ThresholdClipper {
    public typealias State = EmptyTransformState

    /// c, the largest norm the output may have.
    public var maxNorm: Double
    /// The norm measured and bounded.
    public var norm: VectorNorm
    /// What to do when the measured norm is NaN or ±∞.
    public var nonFinitePolicy: NonFinitePolicy

    /// A clipper bounding the global `norm` of the updates by `maxNorm`.
    ///
    /// - Precondition: `maxNorm` ≥ 0.
    public init(maxNorm: Double, norm: VectorNorm = .l2, nonFinitePolicy: NonFinitePolicy = .propagate) {
        precondition(maxNorm >= 0, "GlobalNormClipper: maxNorm must be >= 0, got \(maxNorm)")
        self.maxNorm = maxNorm
        self.norm = norm
        self.nonFinitePolicy = nonFinitePolicy
    }

    public var threshold: Double {
        get { maxNorm }
        set { maxNorm = newValue }
    }

    public var guarantee: ClippingGuarantee { .globalNorm(max: maxNorm, norm: norm) }

    public func makeState(for parameters: ParameterSet<Scalar>) -> State { State() }

    public func apply(
        to updates: inout ParameterSet<Scalar>, state: inout State, context: inout TransformContext<Scalar>
    ) throws {
        var total = updates.globalNorm(norm)
        var detail: String?
        if !total.isFinite {
            let key = updates.firstNonFiniteKey
            detail = key.map { "non-finite gradient in \($0)" } ?? "the norm overflowed"
            switch nonFinitePolicy {
            case .propagate:
                context.reports.append(report(fired: false, before: total, after: total, coefficient: nil, detail: detail))
                return
            case .throwError:
                throw GradientTransformError.nonFiniteGradient(
                    transform: "GlobalNormClipper", key: key ?? updates.keys.first ?? "unknown", norm: total)
            case .skipUpdate:
                updates.replaceWithZeros()
                context.reports.append(report(fired: true, before: total, after: 0, coefficient: 0, detail: detail))
                return
            case .zeroNonFinite:
                let zeroed = updates.zeroNonFiniteElements()
                detail = (detail ?? "") + "; \(zeroed) non-finite values zeroed"
                total = updates.globalNorm(norm)
            }
        }
        let clipped = clipGlobalNorm(&updates, total: total, maxNorm: maxNorm)
        context.reports.append(
            report(fired: clipped.fired, before: total, after: clipped.after, coefficient: clipped.coefficient, detail: detail))
    }

    private func report(fired: Bool, before: Double, after: Double, coefficient: Double?, detail: String?) -> TransformReport {
        .clip(ClipReport(
            transform: "GlobalNormClipper", fired: fired, normBefore: before, normAfter: after,
            coefficient: coefficient, threshold: maxNorm, detail: detail))
    }
}

/// Scales `updates` by `maxNorm/total` when `total > maxNorm` (one pass), otherwise leaves them
/// untouched; returns whether it fired, the coefficient applied and the resulting norm.
func clipGlobalNorm<Scalar>(
    _ updates: inout ParameterSet<Scalar>, total: Double, maxNorm: Double
) -> (fired: Bool, coefficient: Double, after: Double) {
    guard total > maxNorm else { return (false, 1, total) }
    let coefficient = maxNorm / total
    updates.scale(by: Scalar(coefficient))
    return (true, coefficient, maxNorm)
}
