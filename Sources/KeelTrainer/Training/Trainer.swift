/// Trains a model: batch → forward → loss → backward → statistics → monitors → gradient
/// pipeline → update → events, with truncated BPTT, gradient accumulation, validation, early
/// stopping, reduce-on-plateau, rollback to in-memory snapshots, and atomic, resumable
/// checkpoints.
///
/// The model, the loss and the pipeline are generic parameters, so the hot path is specialized;
/// monitors (`[any Monitor]`) and event handlers are called once per step.
///
/// ```swift
/// var trainer = Trainer(
///     model: model, loss: MeanSquaredError<Float>(),
///     pipeline: Chain { GlobalNormClipper(maxNorm: 1); Adam<Float>(learningRate: 1e-3) },
///     monitors: [myNonFiniteMonitor], configuration: TrainerConfiguration(seed: 42))
/// let result = try trainer.fit(epochs: 10, source: data, validation: heldOut)
/// ```
///
/// **The pipeline** must end in the optimizer: its output is the update added to the parameters
/// (θ ← θ + s·update, s = ``learningRateScale``).
///
/// **Learning rate.** The optimizer sits inside the pipeline, so the trainer does not set its
/// `learningRate`; it multiplies each update by ``learningRateScale`` instead. For SGD, Adam and
/// RMSprop without coupled weight decay this is exactly a learning-rate change. Monitors
/// (``MonitorVerdict/scaleLearningRate(factor:reason:)``), ``TrainerConfiguration/plateau`` and
/// ``RollbackPolicy/learningRateBackoff`` change the scale.
///
/// **Accumulation.** With ``TrainerConfiguration/accumulationSteps`` k, one step averages the
/// gradients of k consecutive batches, then computes statistics, asks monitors and runs the
/// pipeline once: clipping sees the accumulated gradient.
///
/// **Statistics** are computed once per step; parameter norms, the update norm, the gradient-flow
/// profile and σ_max of recurrent weights only when some monitor's ``Monitor/needs`` asks. The
/// gradient-flow profile and σ_max need a ``StatefulSequenceModel``.
///
/// **Verdicts.** All monitors inspect every step. Any ``MonitorVerdict/stop(reason:)`` stops
/// (no update); else any ``MonitorVerdict/rollback(reason:)`` rolls back (see
/// ``RollbackPolicy``); else every ``MonitorVerdict/scaleLearningRate(factor:reason:)`` factor is
/// applied and, if any monitor said ``MonitorVerdict/skipUpdate(reason:)``, the update is skipped
/// (parameters and pipeline state unchanged, the step counted).
///
/// **Determinism.** Given the configuration's seed, a run is a function of the model, the data
/// and the components: the trainer's generator feeds every training forward pass, data come from
/// a random-access ``BatchSource`` at the trainer's cursor, and a checkpoint stores all of it, so
/// a resumed run reaches bit-identical parameters.
public struct Trainer<Model: Layer, LossFunction: Loss, Pipeline: GradientTransform>: Sendable
where LossFunction.Scalar == Model.Scalar, Pipeline.Scalar == Model.Scalar {
    /// The element type.
    public typealias Scalar = Model.Scalar
    /// An event handler.
    public typealias EventHandler = @Sendable (TrainerEvent) -> Void

    /// The model being trained.
    public internal(set) var model: Model
    /// The loss.
    public let loss: LossFunction
    /// The gradient pipeline, ending in the optimizer.
    public let pipeline: Pipeline
    /// The pipeline's state (optimizer moments, clipper history).
    public internal(set) var pipelineState: Pipeline.State
    /// The monitors, asked in order every step.
    public internal(set) var monitors: [any Monitor]
    /// Handlers called with every event, in order.
    public var eventHandlers: [EventHandler]
    /// The configuration.
    public let configuration: TrainerConfiguration
    /// Batches left out after rollbacks, in the order they were found.
    public internal(set) var skippedBatches: [SkippedBatch] = []
    /// Rollbacks so far (counted against ``RollbackPolicy/maxRollbacks``).
    public internal(set) var rollbackCount = 0

    var progress: TrainerProgress
    var snapshots: [TrainerSnapshot<Model, Pipeline.State>] = []
    var skippedCursors: Set<TrainingCursor> = []
    let needs: ObservationNeeds

    /// A trainer at step 0 with a fresh pipeline state.
    public init(
        model: Model, loss: LossFunction, pipeline: Pipeline, monitors: [any Monitor] = [],
        configuration: TrainerConfiguration = TrainerConfiguration(), eventHandlers: [EventHandler] = []
    ) {
        self.model = model
        self.loss = loss
        self.pipeline = pipeline
        self.pipelineState = pipeline.makeState(for: model.parameters)
        self.monitors = monitors
        self.eventHandlers = eventHandlers
        self.configuration = configuration
        self.needs = monitors.reduce(into: ObservationNeeds()) { $0.formUnion($1.needs) }
        var progress = TrainerProgress(generator: Xoshiro256StarStar(seed: configuration.seed))
        progress.plateau = configuration.plateau
        progress.earlyStopping = configuration.earlyStopping
        self.progress = progress
    }

    /// Optimizer steps taken (skipped updates included, rolled-back steps not).
    public var step: Int { progress.step }
    /// The position of the next batch.
    public var cursor: TrainingCursor { progress.cursor }
    /// The factor applied to every update (1 at the start).
    public var learningRateScale: Double { progress.learningRateScale }
    /// The trainer's random generator (feeds training forward passes).
    public var generator: Xoshiro256StarStar { progress.generator }
    /// Snapshots currently in the rollback ring.
    public var snapshotCount: Int { snapshots.count }

    func emit(_ event: TrainerEvent) {
        for handler in eventHandlers { handler(event) }
    }

    mutating func takeSnapshot() {
        snapshots.append(TrainerSnapshot(model: model, pipelineState: pipelineState, monitors: monitors, progress: progress))
        if snapshots.count > configuration.rollback.capacity { snapshots.removeFirst(snapshots.count - configuration.rollback.capacity) }
    }
}
