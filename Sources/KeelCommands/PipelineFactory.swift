import Foundation
import KeelCore
import KeelOptimizers

/// Builds the gradient pipeline `clipper → optimizer` named by `keel train` options.
public enum PipelineFactory {
    /// The type of every pipeline built here: a type-erased clipper, then a type-erased optimizer.
    public typealias Pipeline = Chain<AnyGradientTransform<Float>, AnyGradientTransform<Float>>

    /// The schedule `choice` over `totalSteps` starting from `learningRate`, or `nil` for
    /// `constant`: `cosine` to 1% of it, `step` ×0.3 every third of the run, `exponential` to 1% by
    /// the end, `onecycle` peaking at it.
    public static func schedule(_ choice: ScheduleChoice, learningRate: Double, totalSteps: Int) -> (any LearningRateSchedule)? {
        switch choice {
        case .constant: nil
        case .cosine: CosineAnnealing(initialValue: learningRate, maximumSteps: max(totalSteps, 1), minimumValue: learningRate / 100)
        case .step: StepDecay(initialValue: learningRate, stepSize: max(totalSteps / 3, 1), gamma: 0.3)
        case .exponential: ExponentialDecay(initialValue: learningRate, gamma: Foundation.pow(0.01, 1 / Double(max(totalSteps, 1))))
        case .onecycle: OneCycle(maximumValue: learningRate, totalSteps: max(totalSteps, 2))
        }
    }

    /// The optimizer `choice` at `learningRate`, with its other hyperparameters at their defaults.
    public static func optimizer(_ choice: OptimizerChoice, learningRate: Double, schedule: (any LearningRateSchedule)?) -> AnyGradientTransform<Float> {
        switch choice {
        case .sgd: AnyGradientTransform(SGD<Float>(learningRate: learningRate, schedule: schedule))
        case .adam: AnyGradientTransform(Adam<Float>(learningRate: learningRate, schedule: schedule))
        case .adamw: AnyGradientTransform(AdamW<Float>(learningRate: learningRate, schedule: schedule))
        case .rmsprop: AnyGradientTransform(RMSprop<Float>(learningRate: learningRate, schedule: schedule))
        case .adagrad: AnyGradientTransform(Adagrad<Float>(learningRate: learningRate, schedule: schedule))
        case .lion: AnyGradientTransform(Lion<Float>(learningRate: learningRate, schedule: schedule))
        }
    }

    /// The clipper `choice` at `threshold` (default: ``ClipperChoice/defaultThreshold``), or the
    /// identity for `none`.
    public static func clipper(_ choice: ClipperChoice, threshold: Double?) -> AnyGradientTransform<Float> {
        let value = threshold ?? choice.defaultThreshold ?? 1
        switch choice {
        case .none: return AnyGradientTransform(IdentityTransform<Float>())
        case .globalNorm: return AnyGradientTransform(GlobalNormClipper<Float>(maxNorm: value))
        case .value: return AnyGradientTransform(ValueClipper<Float>(maxValue: value))
        case .norm: return AnyGradientTransform(NormClipper<Float>(maxNorm: value))
        case .agc: return AnyGradientTransform(AdaptiveGradientClipper<Float>(clipping: value))
        case .autoclip: return AnyGradientTransform(AutoClipper<Float>(percentile: value))
        case .zclip: return AnyGradientTransform(ZScoreClipper<Float>(zThreshold: value))
        }
    }

    /// The pipeline `clip` → `optimizer` the options name.
    public static func make(
        optimizer: OptimizerChoice, learningRate: Double, schedule: ScheduleChoice, totalSteps: Int, clip: ClipperChoice, threshold: Double?
    ) -> Pipeline {
        Chain(
            clipper(clip, threshold: threshold),
            self.optimizer(optimizer, learningRate: learningRate, schedule: self.schedule(schedule, learningRate: learningRate, totalSteps: totalSteps)))
    }
}
