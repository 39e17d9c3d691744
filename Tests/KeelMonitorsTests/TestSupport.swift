import KeelMonitors

/// The parameter keys of a small recurrent model, in model order.
let modelKeys: [ParameterKey] = ["embed.weight", "rnn.weightIH", "rnn.weightHH", "rnn.bias", "head.weight"]

/// An observation with the global norm derived from the per-parameter norms (unless given).
func observation(
    step: Int, loss: Double = 1, norms: [Double] = [1, 1, 1, 1, 1], keys: [ParameterKey] = modelKeys,
    globalNorm: Double? = nil, nonFiniteCounts: [Int]? = nil, firstNonFiniteKey: ParameterKey? = nil,
    weightNorms: [Double] = [], dynamics: [RecurrentDynamics] = []
) -> StepObservation {
    StepObservation(
        step: step, epoch: 0, loss: loss, learningRate: 0.01, parameterKeys: keys, gradientNorms: norms,
        globalGradientNorm: globalNorm ?? norms.reduce(0) { $0 + $1 * $1 }.squareRoot(),
        nonFiniteCounts: nonFiniteCounts ?? Array(repeating: 0, count: keys.count),
        firstNonFiniteKey: firstNonFiniteKey, parameterNorms: weightNorms, recurrentDynamics: dynamics)
}

/// An observation carrying only a global norm and a loss (single parameter "w").
func scalarObservation(step: Int, loss: Double, norm: Double) -> StepObservation {
    let finite = norm.isFinite
    return StepObservation(
        step: step, epoch: 0, loss: loss, learningRate: 0.01, parameterKeys: ["w"], gradientNorms: [norm],
        globalGradientNorm: norm, nonFiniteCounts: [finite ? 0 : 1], firstNonFiniteKey: finite ? nil : "w")
}

/// A deterministic wiggle in [−1, 1].
func wiggle(_ step: Int) -> Double { Double((step * 7919) % 201 - 100) / 100 }

/// Runs `monitor` over `steps` and returns the non-proceed verdicts by step.
func firings<M: Monitor>(_ monitor: inout M, _ steps: [StepObservation]) -> [(step: Int, verdict: MonitorVerdict)] {
    steps.compactMap { observation in
        let verdict = monitor.inspect(observation)
        return verdict == .proceed ? nil : (observation.step, verdict)
    }
}
