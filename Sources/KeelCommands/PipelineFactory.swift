import KeelCore
import KeelOptimizers

/// Builds the gradient pipeline `clipper → optimizer` named by `keel train` options.
public enum PipelineFactory {
    /// The type of every pipeline built here: a type-erased clipper, then a type-erased optimizer.
    public typealias Pipeline = Chain<AnyGradientTransform<Float>, AnyGradientTransform<Float>>

    /// The default learning rate of each optimizer.
    public static func defaultLearningRate(for optimizer: String) -> Double {
        switch optimizer {
        case "sgd": 0.05
        case "rmsprop", "adagrad": 1e-2
        case "lion": 1e-4
        default: 3e-3
        }
    }

    /// The default threshold of each clipper (nil: none needed).
    public static func defaultThreshold(for clip: String) -> Double? {
        switch clip {
        case "global-norm", "norm": 1
        case "value": 0.1
        case "agc": 0.05
        case "autoclip": 10
        case "zclip": 2.5
        default: nil
        }
    }

    /// The schedule `name` over `totalSteps` starting from `learningRate`, or `nil` for `constant`
    /// (or an unknown name): `cosine` to 1% of it, `step` ×0.3 every third of the run, `exponential`
    /// to 1% by the end, `onecycle` peaking at it.
    public static func schedule(_ name: String, learningRate: Double, totalSteps: Int) -> (any LearningRateSchedule)? {
        switch name {
        case "cosine": CosineAnnealing(initialValue: learningRate, maximumSteps: max(totalSteps, 1), minimumValue: learningRate / 100)
        case "step": StepDecay(initialValue: learningRate, stepSize: max(totalSteps / 3, 1), gamma: 0.3)
        case "exponential": ExponentialDecay(initialValue: learningRate, gamma: Foundation.pow(0.01, 1 / Double(max(totalSteps, 1))))
        case "onecycle": OneCycle(maximumValue: learningRate, totalSteps: max(totalSteps, 2))
        default: nil
        }
    }

    /// The optimizer `name` (default `adam` for an unknown name) at `learningRate`, with its other
    /// hyperparameters at their defaults.
    public static func optimizer(_ name: String, learningRate: Double, schedule: (any LearningRateSchedule)?) -> AnyGradientTransform<Float> {
        switch name {
        case "sgd": AnyGradientTransform(SGD<Float>(learningRate: learningRate, schedule: schedule))
        case "adamw": AnyGradientTransform(AdamW<Float>(learningRate: learningRate, schedule: schedule))
        case "rmsprop": AnyGradientTransform(RMSprop<Float>(learningRate: learningRate, schedule: schedule))
        case "adagrad": AnyGradientTransform(Adagrad<Float>(learningRate: learningRate, schedule: schedule))
        case "lion": AnyGradientTransform(Lion<Float>(learningRate: learningRate, schedule: schedule))
        default: AnyGradientTransform(Adam<Float>(learningRate: learningRate, schedule: schedule))
        }
    }

    /// The clipper `name` at `threshold` (default: ``defaultThreshold(for:)``), or the identity for
    /// `none` and unknown names.
    public static func clipper(_ name: String, threshold: Double?) -> AnyGradientTransform<Float> {
        let value = threshold ?? defaultThreshold(for: name) ?? 1
        switch name {
        case "global-norm": return AnyGradientTransform(GlobalNormClipper<Float>(maxNorm: value))
        case "value": return AnyGradientTransform(ValueClipper<Float>(maxValue: value))
        case "norm": return AnyGradientTransform(NormClipper<Float>(maxNorm: value))
        case "agc": return AnyGradientTransform(AdaptiveGradientClipper<Float>(clipping: value))
        case "autoclip": return AnyGradientTransform(AutoClipper<Float>(percentile: value))
        case "zclip": return AnyGradientTransform(ZScoreClipper<Float>(zThreshold: value))
        default: return AnyGradientTransform(IdentityTransform<Float>())
        }
    }

    /// The pipeline `clip` → `optimizer` the options name.
    public static func make(
        optimizer: String, learningRate: Double, schedule: String, totalSteps: Int, clip: String, threshold: Double?
    ) -> Pipeline {
        Chain(
            clipper(clip, threshold: threshold),
            self.optimizer(optimizer, learningRate: learningRate, schedule: self.schedule(schedule, learningRate: learningRate, totalSteps: totalSteps)))
    }
}

import Foundation
