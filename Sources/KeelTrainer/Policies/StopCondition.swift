/// A condition on a validation metric that ends ``Trainer/fit(epochs:source:validation:maxSteps:)``:
/// a target reached (success) or a bound crossed (divergence). Checked at every validation.
public enum StopCondition: Codable, Hashable, Sendable {
    /// Stop once `metric` is better than `value` (below it for losses and error rates, above it
    /// for accuracy): ``StopReason/targetReached(metric:value:target:step:)``.
    case target(ValidationMetric, Double)
    /// Stop once `metric` is non-finite or worse than `bound` (a loss a million times the best
    /// constant prediction's, say): ``StopReason/metricDiverged(metric:value:bound:)``.
    case divergence(ValidationMetric, bound: Double)

    /// The stop reason this condition gives for `metrics` at `step`, or `nil` when it does not hold.
    public func stopReason(for metrics: ValidationMetrics, atStep step: Int) -> StopReason? {
        switch self {
        case .target(let metric, let target):
            guard let value = metrics[metric], metric.isBetter(value, than: target) else { return nil }
            return .targetReached(metric: metric, value: value, target: target, step: step)
        case .divergence(let metric, let bound):
            guard let value = metrics[metric], !value.isFinite || metric.isBetter(bound, than: value) else { return nil }
            return .metricDiverged(metric: metric, value: value, bound: bound)
        }
    }
}
