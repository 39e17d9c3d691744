/// What a trainer does with a ``StatefulSequenceModel``: windowed (truncated) BPTT with
/// gradient-flow profiles, and the recurrent weights' dynamics (σ_max, flow per layer).
///
/// It is bound with the model's static type by the initializers of
/// `Trainer where Model: StatefulSequenceModel`, so the step never asks at run time what the
/// model is. A trainer made for any other model has none: truncated BPTT is then refused when the
/// trainer is made, and monitors that need gradient flow or σ_max observe none.
struct SequenceTraining<Model: Layer, LossFunction: Loss, Pipeline: GradientTransform>: Sendable
where LossFunction.Scalar == Model.Scalar, Pipeline.Scalar == Model.Scalar {
    typealias Host = Trainer<Model, LossFunction, Pipeline>

    /// Forward, loss and backward of one batch in windows, gradients added into the set.
    let windowedGradients: @Sendable (inout Host, Batch<Model.Scalar>, inout ParameterSet<Model.Scalar>, _ recordsFlow: Bool)
        -> (loss: Double, windowNorms: [Double], flows: [[Double]]?)
    /// The recurrent weights' dynamics for an observation.
    let recurrentDynamics: @Sendable (inout Host, _ flows: [[Double]]?, ObservationNeeds) -> [RecurrentDynamics]
}

extension SequenceTraining where Model: StatefulSequenceModel {
    /// The sequence path of a trainer whose model type is a ``StatefulSequenceModel``.
    static var bound: Self {
        Self(
            windowedGradients: { trainer, batch, gradients, recordsFlow in
                trainer.windowedGradients(trainer.model, batch: batch, into: &gradients, recordsFlow: recordsFlow)
            },
            recurrentDynamics: { trainer, flows, needs in trainer.recurrentDynamics(of: trainer.model, flows: flows, needs: needs) })
    }
}

extension Trainer where Model: StatefulSequenceModel {
    /// A trainer at step 0 for a sequence model: truncated BPTT, gradient-flow profiles and σ_max
    /// of the recurrent weights are available (parameters as for any model).
    public init(
        model: Model, loss: LossFunction, pipeline: Pipeline, monitors: MonitorSet,
        configuration: TrainerConfiguration = TrainerConfiguration(), sinks: [any EventSink] = [],
        eventHandlers: [EventHandler] = []
    ) {
        self.init(
            model: model, loss: loss, pipeline: pipeline, monitorSet: monitors, configuration: configuration, sinks: sinks,
            eventHandlers: eventHandlers, sequenceTraining: .bound)
    }

    /// A sequence-model trainer watched by any monitor; see the unconstrained initializer.
    public init<Composite: Monitor>(
        model: Model, loss: LossFunction, pipeline: Pipeline, monitor: Composite,
        configuration: TrainerConfiguration = TrainerConfiguration(), sinks: [any EventSink] = [],
        eventHandlers: [EventHandler] = []
    ) {
        self.init(
            model: model, loss: loss, pipeline: pipeline, monitorSet: Self.monitorSet(of: monitor), configuration: configuration,
            sinks: sinks, eventHandlers: eventHandlers, sequenceTraining: .bound)
    }

    /// A sequence-model trainer whose monitor set holds `monitors` (in order) with an
    /// `ExplosionAttributor` (none when `monitors` is empty).
    public init(
        model: Model, loss: LossFunction, pipeline: Pipeline, monitors: [any Monitor] = [],
        configuration: TrainerConfiguration = TrainerConfiguration(), sinks: [any EventSink] = [],
        eventHandlers: [EventHandler] = []
    ) {
        self.init(
            model: model, loss: loss, pipeline: pipeline, monitorSet: Self.monitorSet(of: monitors), configuration: configuration,
            sinks: sinks, eventHandlers: eventHandlers, sequenceTraining: .bound)
    }
}
