/// Trains a model: batch → forward → loss → backward → statistics → monitors → gradient
/// pipeline → update → events, with truncated BPTT, gradient accumulation, validation, early
/// stopping, reduce-on-plateau, rollback to in-memory snapshots, and atomic, resumable
/// checkpoints.
///
/// The model, the loss and the pipeline are generic parameters, so the hot path is specialized;
/// the `MonitorSet` and the event sinks are called once per step.
///
/// ```swift
/// let log = try JSONLinesEventSink(path: "run.jsonl")
/// var trainer = Trainer(
///     model: model, loss: MeanSquaredError<Float>(),
///     pipeline: Chain { GlobalNormClipper(maxNorm: 1); Adam<Float>(learningRate: 1e-3) },
///     monitors: .standard, configuration: TrainerConfiguration(seed: 42),
///     sinks: [log, ConsoleProgressSink()])
/// let result = try trainer.fit(epochs: 10, source: data, validation: heldOut)
/// ```
///
/// **Events.** Every event is a `TrainingEvent` delivered, in order, to each sink and then to
/// each handler: `stepCompleted` per optimizer step (loss, ‖g‖ before the pipeline, the
/// pipeline's clip reports and whether a clipper fired, learning rate = nominal × scale, update
/// norm, duration, truncated-BPTT window norms); `monitorFired` per firing member of the
/// `MonitorSet` (with the attribution report); `actionTaken` for every skip, rollback,
/// optimizer-state reset, learning-rate change and stop; `gradientFlow` and `recurrentDynamics`
/// on steps where they were computed; `validation`; `epochCompleted`; `checkpointSaved`; and
/// `trainingFinished` when ``fit(epochs:source:validation:maxSteps:)`` returns. Event `step`
/// fields follow `StepObservation.step`: the 0-based index of the optimizer step (steps taken
/// before it); `epochCompleted`, `validation`, `checkpointSaved` and `trainingFinished` carry the
/// steps taken so far. A sink that throws makes `fit` (or ``saveCheckpoint(to:extraFiles:)``) throw that
/// error: a failing log file is never silent. Sinks are flushed when `fit` returns.
///
/// **The pipeline** must end in the optimizer: its output is the update added to the parameters
/// (θ ← θ + s·update, s = ``learningRateScale``).
///
/// **Learning rate.** The optimizer sits inside the pipeline, so the trainer does not set its
/// `learningRate`; it multiplies each update by ``learningRateScale`` instead. For SGD, Adam and
/// RMSprop without coupled weight decay this is exactly a learning-rate change. Monitors
/// (`MonitorVerdict.scaleLearningRate(factor:reason:)`), ``TrainerConfiguration/plateau`` and
/// ``RollbackPolicy/learningRateBackoff`` change the scale.
///
/// **Accumulation.** With ``TrainerConfiguration/accumulationSteps`` k, one step averages the
/// gradients of k consecutive batches, then computes statistics, asks monitors and runs the
/// pipeline once: clipping sees the accumulated gradient.
///
/// **Statistics** are computed once per step; parameter norms, the update norm, the gradient-flow
/// profile and σ_max of recurrent weights only when `MonitorSet.needs(atStep:)` asks for them at
/// that step. The
/// gradient-flow profile and σ_max need a ``StatefulSequenceModel``.
///
/// **Verdicts.** The `MonitorSet` evaluates every step and combines its members' verdicts
/// (the most severe wins, see `MonitorSet.combine(_:)`): `MonitorVerdict.stop(reason:)`
/// stops (no update); `MonitorVerdict.rollback(reason:)` rolls back (see ``RollbackPolicy``);
/// `MonitorVerdict.scaleLearningRate(factor:reason:)` multiplies the scale before the update;
/// `MonitorVerdict.skipUpdate(reason:)` skips the update (parameters and pipeline state
/// unchanged, the step counted). After the pipeline the set receives the clip reports
/// (`MonitorSet.recordClipReports(_:)`).
///
/// **Backward order.** `StepObservation.firstNonFiniteKey` is the first non-finite gradient in
/// the **reverse of the model's parameter order**: for sequential models (embedding → recurrent
/// layers → head) that is the order backpropagation produces gradients, so the head comes first
/// and the embedding last. This is an approximation for models whose parameter order differs
/// from their data flow.
///
/// **Determinism.** Given the configuration's seed, a run is a function of the model, the data
/// and the components: the trainer's generator feeds every training forward pass, data come from
/// a random-access `BatchSource` at the trainer's cursor, and a checkpoint stores all of it, so
/// a resumed run reaches bit-identical parameters.
public struct Trainer<Model: Layer, LossFunction: Loss, Pipeline: GradientTransform>
where LossFunction.Scalar == Model.Scalar, Pipeline.Scalar == Model.Scalar {
    /// The element type.
    public typealias Scalar = Model.Scalar
    /// An event handler, called after the sinks with every event.
    public typealias EventHandler = @Sendable (TrainingEvent) -> Void

    /// The model being trained.
    public internal(set) var model: Model
    /// The loss.
    public let loss: LossFunction
    /// The gradient pipeline, ending in the optimizer.
    public let pipeline: Pipeline
    /// The pipeline's state (optimizer moments, clipper history).
    public internal(set) var pipelineState: Pipeline.State
    /// The monitors (and attributor), evaluated once per step.
    public internal(set) var monitors: MonitorSet
    /// The sinks that receive every event, in order.
    public var sinks: [any EventSink]
    /// Handlers called with every event, after the sinks.
    public var eventHandlers: [EventHandler]
    /// The configuration.
    public let configuration: TrainerConfiguration
    /// Decodes the monitor set of a checkpoint: the built-ins plus the types of the set's members.
    public var monitorRegistry: MonitorRegistry
    /// Batches left out after rollbacks, in the order they were found.
    public internal(set) var skippedBatches: [SkippedBatch] = []
    /// Rollbacks so far, in all.
    public internal(set) var rollbackCount = 0
    /// Rollbacks since training last got past the step of a rollback (counted against
    /// ``RollbackPolicy/maxRollbacks``: the budget is per incident, not per run).
    public internal(set) var rollbacksInARow = 0
    /// The step whose failure caused the latest rollback of the current incident.
    var rollbackIncidentStep: Int?
    /// The processes training this model together (data parallelism); ``SingleProcess`` by
    /// default. See ``TrainingCollective`` for where the trainer calls it.
    public var collective: any TrainingCollective = SingleProcess()
    /// A held-out set measured at every validation (test loss and error rate), if any.
    public var heldOutEvaluation: HeldOutEvaluation<Scalar>?
    /// The best checkpoint ``TrainerConfiguration/checkpoints`` has written in this process.
    public internal(set) var bestCheckpoint: BestCheckpoint?
    /// The step of the latest checkpoint fit wrote to ``CheckpointPolicy/directory``.
    var latestCheckpointStep: Int?

    var progress: TrainerProgress
    var snapshots: [TrainerSnapshot<Model, Pipeline.State>] = []
    var skippedCursors: Set<TrainingCursor> = []
    var epochStart: ContinuousClock.Instant?
    /// Windowed BPTT and recurrent dynamics, bound when the model's type is a sequence model.
    let sequenceTraining: SequenceTraining<Model, LossFunction, Pipeline>?

    /// A trainer at step 0 with a fresh pipeline state.
    ///
    /// When `Model` is a ``StatefulSequenceModel`` (known where the trainer is made), the
    /// initializers of that extension are chosen: they add truncated BPTT, gradient-flow profiles
    /// and σ_max. For any other model, a configuration with truncated BPTT stops with a
    /// precondition failure here.
    ///
    /// - Parameters:
    ///   - model: the model.
    ///   - loss: the loss on the model's output.
    ///   - pipeline: the gradient pipeline, ending in the optimizer.
    ///   - monitors: the monitor set evaluated every step.
    ///   - configuration: seeds, accumulation, TBPTT, validation, rollback and reporting.
    ///   - sinks: receive every `TrainingEvent`; their errors are thrown by `fit`.
    ///   - eventHandlers: called with every event after the sinks.
    public init(
        model: Model, loss: LossFunction, pipeline: Pipeline, monitors: MonitorSet,
        configuration: TrainerConfiguration = TrainerConfiguration(), sinks: [any EventSink] = [],
        eventHandlers: [EventHandler] = []
    ) {
        self.init(
            model: model, loss: loss, pipeline: pipeline, monitorSet: monitors, configuration: configuration, sinks: sinks,
            eventHandlers: eventHandlers, sequenceTraining: nil)
    }

    /// A trainer watched by any monitor, a composite of your own included: a `MonitorSet` is
    /// used as it is; any other monitor becomes the single member of a set with an
    /// `ExplosionAttributor`, and receives everything a member does (`Monitor.needs(atStep:)`,
    /// `Monitor.findings`, `Monitor.recordClipReports(_:)`).
    public init<Composite: Monitor>(
        model: Model, loss: LossFunction, pipeline: Pipeline, monitor: Composite,
        configuration: TrainerConfiguration = TrainerConfiguration(), sinks: [any EventSink] = [],
        eventHandlers: [EventHandler] = []
    ) {
        self.init(
            model: model, loss: loss, pipeline: pipeline, monitorSet: Self.monitorSet(of: monitor), configuration: configuration,
            sinks: sinks, eventHandlers: eventHandlers, sequenceTraining: nil)
    }

    /// A trainer whose monitor set holds `monitors` (in order) with an `ExplosionAttributor`
    /// (none when `monitors` is empty, so that an unmonitored trainer computes nothing extra).
    public init(
        model: Model, loss: LossFunction, pipeline: Pipeline, monitors: [any Monitor] = [],
        configuration: TrainerConfiguration = TrainerConfiguration(), sinks: [any EventSink] = [],
        eventHandlers: [EventHandler] = []
    ) {
        self.init(
            model: model, loss: loss, pipeline: pipeline, monitorSet: Self.monitorSet(of: monitors), configuration: configuration,
            sinks: sinks, eventHandlers: eventHandlers, sequenceTraining: nil)
    }

    /// The one initializer every public one calls, with the sequence path when the model's type
    /// has one.
    init(
        model: Model, loss: LossFunction, pipeline: Pipeline, monitorSet monitors: MonitorSet, configuration: TrainerConfiguration,
        sinks: [any EventSink], eventHandlers: [EventHandler], sequenceTraining: SequenceTraining<Model, LossFunction, Pipeline>?
    ) {
        precondition(
            configuration.truncatedBPTT == nil || sequenceTraining != nil,
            "Trainer: truncated BPTT needs a model whose type conforms to StatefulSequenceModel where the trainer is made; \(Model.self) does not")
        self.model = model
        self.loss = loss
        self.pipeline = pipeline
        self.pipelineState = pipeline.makeState(for: model.parameters)
        self.monitors = monitors
        self.sinks = sinks
        self.eventHandlers = eventHandlers
        self.configuration = configuration
        self.sequenceTraining = sequenceTraining
        var registry = MonitorRegistry.builtIns
        Self.register(monitors.monitors, in: &registry)
        self.monitorRegistry = registry
        var progress = TrainerProgress(generator: Xoshiro256StarStar(seed: configuration.seed))
        progress.plateau = configuration.plateau
        progress.earlyStopping = configuration.earlyStopping
        self.progress = progress
    }

    /// `monitor` itself when it is a `MonitorSet`, else a set of it with an `ExplosionAttributor`.
    static func monitorSet<Composite: Monitor>(of monitor: Composite) -> MonitorSet {
        monitor as? MonitorSet ?? MonitorSet([monitor])
    }

    /// A set of `monitors` with an `ExplosionAttributor` (none when empty).
    static func monitorSet(of monitors: [any Monitor]) -> MonitorSet {
        MonitorSet(monitors, attributor: monitors.isEmpty ? nil : ExplosionAttributor())
    }

    /// Optimizer steps taken (skipped updates included, rolled-back steps not).
    public var step: Int { progress.step }
    /// The position of the next batch.
    public var cursor: TrainingCursor { progress.cursor }
    /// The one multiplier the trainer's policies put on the learning rate (monitor verdicts,
    /// reduce-on-plateau, rollback backoff; 1 at the start). Optimizers read it as
    /// `TransformContext.learningRateMultiplier`.
    public var learningRateScale: Double { progress.learningRateScale }
    /// The learning rate the next update applies: the pipeline's scheduled rate
    /// (`GradientTransform.scheduledLearningRate(state:step:)`, its last optimizer's schedule
    /// value; 1 for a pipeline without an optimizer, whose output is the update itself) ×
    /// ``learningRateScale``. Monitors observe this value and step events log it.
    public var learningRate: Double {
        (pipeline.scheduledLearningRate(state: pipelineState, step: progress.step) ?? 1) * progress.learningRateScale
    }
    /// The trainer's random generator (feeds training forward passes).
    public var generator: Xoshiro256StarStar { progress.generator }
    /// Snapshots currently in the rollback ring.
    public var snapshotCount: Int { snapshots.count }

    /// Delivers `event` to every sink, then every handler. Every sink receives the event even
    /// when an earlier one throws; the first error is rethrown.
    func emit(_ event: TrainingEvent) throws {
        defer { for handler in eventHandlers { handler(event) } }
        try sinks.forEachSink { try $0.receive(event) }
    }

    /// Flushes every sink; the first error is rethrown after all were tried.
    func flushSinks() throws {
        try sinks.forEachSink { try $0.flush() }
    }

    mutating func takeSnapshot() {
        keep(TrainerSnapshot(model: model, pipelineState: pipelineState, monitors: monitors, progress: progress))
    }

    /// Adds `snapshot` to the rollback ring, dropping the oldest beyond its capacity.
    mutating func keep(_ snapshot: TrainerSnapshot<Model, Pipeline.State>) {
        snapshots.append(snapshot)
        if snapshots.count > configuration.rollback.capacity { snapshots.removeFirst(snapshots.count - configuration.rollback.capacity) }
    }

    /// Registers the type of every member (and of nested sets' members).
    static func register(_ monitors: [any Monitor], in registry: inout MonitorRegistry) {
        for monitor in monitors {
            registerType(of: monitor, in: &registry)
            if let nested = monitor as? MonitorSet { register(nested.monitors, in: &registry) }
        }
    }

    private static func registerType<M: Monitor>(of monitor: M, in registry: inout MonitorRegistry) {
        registry.register(M.self)
    }
}
