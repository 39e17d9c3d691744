/// What one optimizer step did: the payload of ``TrainerEvent/stepCompleted(_:)``.
public struct StepRecord: Codable, Hashable, Sendable {
    /// The step number (1 for the first step).
    public var step: Int
    /// The cursor of the step's first micro-batch.
    public var cursor: TrainingCursor
    /// The training loss (mean over micro-batches).
    public var loss: Double
    /// ‖g‖₂ of the (accumulated) gradient, before the pipeline.
    public var gradientNorm: Double
    /// ‖update‖₂ applied to the parameters; `nil` when the update was skipped.
    public var updateNorm: Double?
    /// The learning-rate scale the update was applied with.
    public var learningRateScale: Double
    /// The gradient norm of each truncated-BPTT window (empty without truncated BPTT).
    public var windowGradientNorms: [Double]
    /// The pipeline's reports (clippers: pre/post norm, coefficient, fired).
    public var transformReports: [TransformReport]

    /// A record.
    public init(
        step: Int, cursor: TrainingCursor, loss: Double, gradientNorm: Double, updateNorm: Double?,
        learningRateScale: Double, windowGradientNorms: [Double] = [], transformReports: [TransformReport] = []
    ) {
        self.step = step
        self.cursor = cursor
        self.loss = loss
        self.gradientNorm = gradientNorm
        self.updateNorm = updateNorm
        self.learningRateScale = learningRateScale
        self.windowGradientNorms = windowGradientNorms
        self.transformReports = transformReports
    }
}
