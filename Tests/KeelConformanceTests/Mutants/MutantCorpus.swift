import KeelConformance

/// One component of the mutant corpus: a deliberately broken component (or, for `control`, a
/// correct one), the bug class it belongs to, and how its author would run the suite on it.
struct CorpusEntry: Sendable, CustomStringConvertible {
    enum Kind: String, Sendable { case clipper, optimizer, monitor, cell, layer, initializer, transform }

    var kind: Kind
    var name: String
    /// The class of bug (the list), for the kill table.
    var bugClass: String
    /// Whether this is the correct control, which must pass every law.
    var control: Bool
    var run: @Sendable () -> [LawResult]

    var description: String { name }

    /// The laws that failed.
    func failedLaws() -> [String] { run().filter { !$0.passed }.map(\.law) }
}

/// The corpus: every kind of component, every class of bug the conformance issue lists.
enum MutantCorpus {
    static func clipper<C: GradientClipper>(_ name: String, _ bugClass: String, control: Bool = false, _ clipper: C) -> CorpusEntry {
        CorpusEntry(kind: .clipper, name: name, bugClass: bugClass, control: control) {
            GradientClipperConformance(clipper, name: name).results()
        }
    }

    static func optimizer<O: Optimizer>(
        _ name: String, _ bugClass: String, control: Bool = false, _ optimizer: O, suite: @escaping @Sendable (O) -> OptimizerConformance<O>
    ) -> CorpusEntry {
        CorpusEntry(kind: .optimizer, name: name, bugClass: bugClass, control: control) { suite(optimizer).results() }
    }

    static func monitor<M: Monitor>(
        _ name: String, _ bugClass: String, control: Bool = false, _ monitor: M, suite: @escaping @Sendable (M) -> MonitorConformance<M>
    ) -> CorpusEntry {
        CorpusEntry(kind: .monitor, name: name, bugClass: bugClass, control: control) { suite(monitor).results() }
    }

    static func transform<T: GradientTransform>(_ name: String, _ bugClass: String, control: Bool = false, _ transform: T) -> CorpusEntry {
        CorpusEntry(kind: .transform, name: name, bugClass: bugClass, control: control) {
            GradientTransformConformance(transform, name: name).results()
        }
    }

    static let parabola = OptimizationSettings(learningRate: 0.05, steps: 1000, tolerance: 2e-2)
    static let rosenbrock = OptimizationSettings(learningRate: 0.02, steps: 5000, tolerance: 0.1)

    /// What the authors declare: decay, first step, scale invariance and a scalar reference.
    static func adamSuite(_ optimizer: CorpusAdam) -> OptimizerConformance<CorpusAdam> {
        let decay = optimizer.weightDecay
        return OptimizerConformance(
            optimizer, parabola: parabola, rosenbrock: rosenbrock,
            reference: { CorpusAdam.reference(gradients: $0, parameters: $1, learningRate: $2, weightDecay: decay) },
            weightDecay: decay == 0 ? .none : .decoupled(decay), firstStep: .normalized(epsilon: 1e-8), scaleInvariant: true)
    }

    static func adaBeliefSuite(_ optimizer: CorpusAdaBelief) -> OptimizerConformance<CorpusAdaBelief> {
        OptimizerConformance(
            optimizer, parabola: parabola, rosenbrock: rosenbrock, reference: CorpusAdaBelief.reference, scaleInvariant: false)
    }

    static func momentumSuite(_ optimizer: CorpusMomentumSGD) -> OptimizerConformance<CorpusMomentumSGD> {
        let decay = optimizer.weightDecay
        return OptimizerConformance(
            optimizer, parabola: .init(learningRate: 0.02, steps: 1000, tolerance: 2e-2),
            rosenbrock: .init(learningRate: 2e-4, steps: 10_000, tolerance: 0.1),
            reference: { CorpusMomentumSGD.reference(gradients: $0, parameters: $1, learningRate: $2, weightDecay: decay) },
            weightDecay: decay == 0 ? .none : .coupled(decay), firstStep: .gradientTimesLearningRate)
    }

    static func referenceSGDSuite<O: Optimizer>(_ optimizer: O) -> OptimizerConformance<O> {
        OptimizerConformance(
            optimizer, parabola: .init(learningRate: 0.1, steps: 300, tolerance: 1e-3),
            rosenbrock: .init(learningRate: 1e-3, steps: 20_000, tolerance: 0.1),
            reference: { gradients, _, rate in gradients.map { -rate * $0 } }, firstStep: .gradientTimesLearningRate)
    }

    static func heNormal<I: Initializer>(_ name: String, _ bugClass: String, control: Bool = false, _ initializer: I) -> CorpusEntry {
        CorpusEntry(kind: .initializer, name: name, bugClass: bugClass, control: control) {
            InitializerConformance(initializer, name: name, expectedMoments: CorpusHeNormal.moments).results()
        }
    }

    static func cell<C: Cell>(_ name: String, _ bugClass: String, control: Bool = false, _ cell: C) -> CorpusEntry
    where C.Scalar == Double, C.State: RecurrentHiddenState<Double> {
        CorpusEntry(kind: .cell, name: name, bugClass: bugClass, control: control) {
            // The IndRNN's author declares |u| ≤ 1, hence ρ ≤ 1 at initialisation.
            CellConformance(cell, name: name, jacobianBound: cell is CorpusIndRNNCell ? 1 : nil).results()
        }
    }

    static let entries: [CorpusEntry] = clippers + optimizers + monitors + cells + layers + initializers + transforms

    static let clippers: [CorpusEntry] = [
        clipper("CorpusNormClipper", "control", control: true, CorpusNormClipper(.none)),
        clipper("CorpusNormClipper(c = 0.5)", "control", control: true, CorpusNormClipper(.none, maxNorm: 0.5)),
        clipper("NormClipper comparing Σg² with c = 0.5", "bound sampling", CorpusNormClipper(.comparesSquaredNorm, maxNorm: 0.5)),
        clipper("NormClipper firing above 1.05·c", "bound sampling", CorpusNormClipper(.lenientThreshold)),
        clipper("NormClipper firing above c/2", "bound sampling", CorpusNormClipper(.firesTooEarly)),
        clipper("NormClipper measuring ‖g‖∞", "bound sampling", CorpusNormClipper(.measuresWrongNorm)),
        clipper("NormClipper accumulating in Float", "bound sampling", CorpusNormClipper(.floatAccumulation)),
        clipper("NormClipper without a report", "report obligation", CorpusNormClipper(.noReport)),
        clipper("NormClipper reporting normAfter = normBefore", "report obligation", CorpusNormClipper(.reportsInputNormAsOutput)),
        clipper("NormClipper reporting a stale threshold", "report obligation", CorpusNormClipper(.reportsStaleThreshold)),
        clipper("NormClipper never reporting fired", "report obligation", CorpusNormClipper(.neverReportsFired)),
        clipper("NormClipper over-clipping to c/2", "report obligation", CorpusNormClipper(.overClips)),
        clipper("NormClipper ignoring its threshold setter", "settable threshold", CorpusNormClipper(.thresholdSetterIgnored)),
        clipper("CountingClipper", "control", control: true, CorpusCountingClipper(bug: .none)),
        clipper("CountingClipper keeping its smallest coefficient", "stateful re-check", CorpusCountingClipper(bug: .keepsSmallestCoefficient)),
        clipper("CountingClipper one step late", "stateful re-check", CorpusCountingClipper(bug: .appliesPreviousCoefficient)),
        clipper("CountingClipper with a shared coefficient", "stateful re-check", CorpusCountingClipper(bug: .coefficientInSharedClass)),
        clipper("QuantileClipper", "control", control: true, CorpusQuantileClipper(bug: .none)),
        clipper("QuantileClipper never recording history", "adaptive history", CorpusQuantileClipper(bug: .neverRecordsHistory)),
        clipper("QuantileClipper certifying itself", "adaptive history", CorpusQuantileClipper(bug: .certifiesItself)),
        clipper("QuantileClipper taking the maximum", "adaptive history", CorpusQuantileClipper(bug: .quantileOfOne)),
        clipper("QuantileClipper losing history in Codable", "Codable history", CorpusQuantileClipper(bug: .historyNotEncoded)),
        clipper("QuantileClipper losing its ring index in Codable", "Codable history", CorpusQuantileClipper(bug: .ringIndexNotEncoded)),
        clipper("QuantileClipper clipping to the previous threshold", "report obligation", CorpusQuantileClipper(bug: .clipsToPreviousThreshold)),
        clipper("QuantileClipper without a report", "report obligation", CorpusQuantileClipper(bug: .noReport)),
        clipper("QuantileClipper keeping its smallest coefficient", "stateful re-check", CorpusQuantileClipper(bug: .keepsSmallestCoefficient)),
        clipper("GlobalNormClipper ignoring its threshold setter", "settable threshold",
                CorpusBuiltInClipperVariant(GlobalNormClipper<Float>(maxNorm: 1), .thresholdSetterIgnored)),
        clipper("AdaptiveGradientClipper ignoring its threshold setter", "settable threshold",
                CorpusBuiltInClipperVariant(AdaptiveGradientClipper<Float>(clipping: 0.05), .thresholdSetterIgnored)),
        clipper("GlobalNormClipper dropping its report", "report obligation",
                CorpusBuiltInClipperVariant(GlobalNormClipper<Float>(maxNorm: 1), .dropsReport)),
        clipper("NormClipper dropping its report", "report obligation",
                CorpusBuiltInClipperVariant(NormClipper<Float>(maxNorm: 1), .dropsReport)),
        clipper("SpikeClipper forgetting its state", "adaptive history", CorpusBuiltInClipperVariant(SpikeClipper<Float>(), .forgetsState)),
        clipper("SpikeClipper losing its state in Codable", "Codable history",
                CorpusBuiltInClipperVariant(SpikeClipper<Float>(), .stateNotEncoded)),
        clipper("AlwaysScalingClipper", "identity below the bound", AlwaysScalingClipper()),
        clipper("LeakyClipper", "bound sampling", LeakyClipper()),
        clipper("EpsilonClipper", "idempotence", EpsilonClipper()),
        clipper("PerTensorPretendingGlobalClipper", "direction", PerTensorPretendingGlobalClipper()),
        clipper("NaNOnZeroClipper", "zero stays zero", NaNOnZeroClipper()),
        clipper("StaleNormClipper", "stale statistics", StaleNormClipper()),
    ]

    static let optimizers: [CorpusEntry] = [
        optimizer("CorpusAdam", "control", control: true, CorpusAdam(.none), suite: adamSuite),
        optimizer("CorpusAdam(decoupled 0.01)", "control", control: true, CorpusAdam(.none, weightDecay: 0.01), suite: adamSuite),
        optimizer("Adam without bias correction", "optimizer math", CorpusAdam(.noBiasCorrection), suite: adamSuite),
        optimizer("Adam stepping twice per apply", "one advance per apply", CorpusAdam(.stepsTwice), suite: adamSuite),
        optimizer("Adam with a stale second moment", "optimizer math", CorpusAdam(.staleSecondMoment), suite: adamSuite),
        optimizer("AdamW coupling its decay", "weight decay", CorpusAdam(.couplesDecay, weightDecay: 0.01), suite: adamSuite),
        optimizer("AdamW decay without the learning rate", "weight decay", CorpusAdam(.decayIgnoresLearningRate, weightDecay: 0.01), suite: adamSuite),
        optimizer("AdamW ignoring its decay", "weight decay", CorpusAdam(.ignoresDecay, weightDecay: 0.01), suite: adamSuite),
        optimizer("Adam without a learning-rate report", "report obligation", CorpusAdam(.noLearningRateReport), suite: adamSuite),
        optimizer("Adam ignoring the trainer's multiplier", "report obligation", CorpusAdam(.ignoresLearningRateMultiplier), suite: adamSuite),
        optimizer("Adam correcting bias from the context's step", "one advance per apply", CorpusAdam(.biasCorrectionFromContext), suite: adamSuite),
        optimizer("Adam losing its step count in Codable", "Codable history", CorpusAdam(.stepNotEncoded), suite: adamSuite),
        optimizer("CorpusAdaBelief", "control", control: true, CorpusAdaBelief(.none), suite: adaBeliefSuite),
        optimizer("AdaBelief tracking g² (Adam)", "optimizer math", CorpusAdaBelief(.tracksSquaredGradient), suite: adaBeliefSuite),
        optimizer("AdaBelief centring on the previous m", "optimizer math", CorpusAdaBelief(.usesPreviousMoment), suite: adaBeliefSuite),
        optimizer("AdaBelief without the inner ε", "optimizer math", CorpusAdaBelief(.dropsInnerEpsilon), suite: adaBeliefSuite),
        optimizer("AdaBelief without s's bias correction", "optimizer math", CorpusAdaBelief(.noSecondBiasCorrection), suite: adaBeliefSuite),
        optimizer("CorpusMomentumSGD(L2 0.01)", "control", control: true, CorpusMomentumSGD(.none, weightDecay: 0.01), suite: momentumSuite),
        optimizer("MomentumSGD decaying outside the momentum", "weight decay",
                  CorpusMomentumSGD(.decayOutsideMomentum, weightDecay: 0.01), suite: momentumSuite),
        optimizer("MomentumSGD dampening the gradient", "optimizer math", CorpusMomentumSGD(.dampensGradient), suite: momentumSuite),
        optimizer("MomentumSGD with Nesterov by mistake", "optimizer math", CorpusMomentumSGD(.nesterovByMistake), suite: momentumSuite),
        optimizer("MomentumSGD with γ²", "optimizer math", CorpusMomentumSGD(.squaredLearningRate), suite: momentumSuite),
        optimizer("MomentumSGD losing its velocity in Codable", "Codable history", CorpusMomentumSGD(.velocityNotEncoded), suite: momentumSuite),
        optimizer("AscendingSGD", "optimizer math", AscendingSGD(learningRate: 0.1), suite: referenceSGDSuite),
        optimizer("DriftingSGD", "optimizer math", DriftingSGD(learningRate: 0.1), suite: referenceSGDSuite),
        optimizer("SquareRootRateSGD", "optimizer math", SquareRootRateSGD(learningRate: 0.1), suite: referenceSGDSuite),
        optimizer("AdamIgnoringBeta2", "optimizer math", AdamIgnoringBeta2(learningRate: 0.01), suite: { adamSuiteFor($0) }),
    ]

    static func adamSuiteFor(_ optimizer: AdamIgnoringBeta2) -> OptimizerConformance<AdamIgnoringBeta2> {
        OptimizerConformance(
            optimizer, parabola: parabola, rosenbrock: rosenbrock,
            reference: { CorpusAdam.reference(gradients: $0, parameters: $1, learningRate: $2, weightDecay: 0) },
            firstStep: .normalized(epsilon: 1e-8), scaleInvariant: true)
    }

    static func nonFiniteSuite(_ monitor: CorpusNonFiniteMonitor) -> MonitorConformance<CorpusNonFiniteMonitor> {
        MonitorConformance(
            monitor, script: CorpusNonFiniteMonitor.script,
            declarations: MonitorDeclarations(actsOnlyOnNonFiniteLoss: true, lossScaleInvariant: true, gradientScaleInvariant: true))
    }

    static func plateauSuite(_ monitor: CorpusPlateauMonitor) -> MonitorConformance<CorpusPlateauMonitor> {
        MonitorConformance(monitor, script: CorpusPlateauMonitor.script, declarations: MonitorDeclarations(lossScaleInvariant: true))
    }

    static func spikeSuite(_ monitor: CorpusSpikeMonitor) -> MonitorConformance<CorpusSpikeMonitor> {
        MonitorConformance(monitor, script: CorpusSpikeMonitor.script, declarations: MonitorDeclarations(lossScaleInvariant: true))
    }

    static let monitors: [CorpusEntry] = [
        monitor("CorpusNonFiniteMonitor", "control", control: true, CorpusNonFiniteMonitor(.none), suite: nonFiniteSuite),
        monitor("NonFiniteMonitor firing above 1e6", "generated scripts", CorpusNonFiniteMonitor(.firesOnLargeLosses), suite: nonFiniteSuite),
        monitor("NonFiniteMonitor checking isNaN only", "generated scripts", CorpusNonFiniteMonitor(.ignoresInfinity), suite: nonFiniteSuite),
        monitor("NonFiniteMonitor firing on negative losses", "generated scripts", CorpusNonFiniteMonitor(.firesOnNegativeLosses), suite: nonFiniteSuite),
        monitor("NonFiniteMonitor firing above Float's range", "generated scripts", CorpusNonFiniteMonitor(.firesAboveFloatRange), suite: nonFiniteSuite),
        monitor("NonFiniteMonitor losing its run counter in Codable", "Codable history", CorpusNonFiniteMonitor(.counterNotEncoded), suite: nonFiniteSuite),
        monitor("CorpusPlateauMonitor", "control", control: true, CorpusPlateauMonitor(.none), suite: plateauSuite),
        monitor("PlateauMonitor with an absolute threshold", "declared scale invariance", CorpusPlateauMonitor(.absoluteThreshold), suite: plateauSuite),
        monitor("PlateauMonitor losing its best loss in Codable", "Codable history", CorpusPlateauMonitor(.bestNotEncoded), suite: plateauSuite),
        monitor("PlateauMonitor with a shared counter", "value semantics", CorpusPlateauMonitor(.sharedCounter), suite: plateauSuite),
        monitor("CorpusSpikeMonitor", "control", control: true, CorpusSpikeMonitor(.none), suite: spikeSuite),
        monitor("SpikeMonitor with an absolute margin", "declared scale invariance", CorpusSpikeMonitor(.absoluteMargin), suite: spikeSuite),
        monitor("SpikeMonitor losing its mean in Codable", "Codable history", CorpusSpikeMonitor(.meanNotEncoded), suite: spikeSuite),
        monitor("CarelessMonitor", "scripted verdicts", CarelessMonitor(), suite: { MonitorConformance($0, script: PatienceMonitor.script) }),
        monitor("ForgetfulPatienceMonitor", "Codable history", ForgetfulPatienceMonitor(), suite: { MonitorConformance($0, script: PatienceMonitor.script) }),
        monitor("SharedHistoryMonitor", "value semantics", SharedHistoryMonitor(), suite: { MonitorConformance($0, script: PatienceMonitor.script) }),
    ]

    static let cells: [CorpusEntry] = [
        cell("CorpusIndRNNCell", "control", control: true, CorpusIndRNNCell(.none)),
        cell("IndRNN initialised up to 1.5", "recurrent Jacobian at init", CorpusIndRNNCell(.recurrentInitTooLarge)),
        cell("IndRNN with tanh′ = 1 − h", "backward", CorpusIndRNNCell(.wrongActivationDerivative)),
        cell("IndRNN without u's gradient", "backward", CorpusIndRNNCell(.missingRecurrentGradient)),
        cell("IndRNN state gradient without u", "backward", CorpusIndRNNCell(.stateGradientIgnoresWeight)),
        cell("IndRNN zeroState ignoring the batch", "zero state", CorpusIndRNNCell(.zeroStateIgnoresBatch)),
        cell("IndRNN with a duplicate key", "parameter keys", CorpusIndRNNCell(.duplicateKey)),
        cell("DefectiveCell(ignoresBatchSize)", "zero state", DefectiveCell(defect: .ignoresBatchSize)),
        cell("DefectiveCell(wrongStateGradient)", "backward", DefectiveCell(defect: .wrongStateGradient)),
        cell("DefectiveCell(hiddenStepCounter)", "hidden state", DefectiveCell(defect: .hiddenStepCounter)),
        cell("DefectiveCell(duplicateKey)", "parameter keys", DefectiveCell(defect: .duplicateKey)),
        cell("DefectiveCell(explodes)", "long sequences", DefectiveCell(defect: .explodes)),
    ]

    static let layers: [CorpusEntry] = [
        CorpusEntry(kind: .layer, name: "DefectiveAffine", bugClass: "control", control: true) {
            LayerConformance(DefectiveAffine(defect: .none), inputShape: [4, 3]).results()
        },
        CorpusEntry(kind: .layer, name: "DefectiveAffine(halfBiasGradient)", bugClass: "backward", control: false) {
            LayerConformance(DefectiveAffine(defect: .halfBiasGradient), inputShape: [4, 3]).results()
        },
        CorpusEntry(kind: .layer, name: "DefectiveAffine(duplicateKey)", bugClass: "parameter keys", control: false) {
            LayerConformance(DefectiveAffine(defect: .duplicateKey), inputShape: [4, 3]).results()
        },
    ]

    static let initializers: [CorpusEntry] = [
        heNormal("CorpusHeNormal", "control", control: true, CorpusHeNormal(.none)),
        heNormal("HeNormal using fanOut", "statistics", CorpusHeNormal(.usesFanOut)),
        heNormal("HeNormal ignoring the receptive field", "statistics", CorpusHeNormal(.ignoresReceptiveField)),
        heNormal("HeNormal truncated without correction", "statistics", CorpusHeNormal(.truncatesWithoutCorrection)),
        heNormal("HeNormal as uniform with the wrong bound", "statistics", CorpusHeNormal(.uniformWithWrongBound)),
        heNormal("HeNormal shifted by 0.05σ", "statistics", CorpusHeNormal(.meanShift)),
        heNormal("HeNormal whose Float path ignores the generator", "seeding", CorpusHeNormal(.floatIgnoresGenerator)),
        heNormal("HeNormal repeating its first row", "statistics", CorpusHeNormal(.repeatsFirstRow)),
        heNormal("HeNormal duplicating values", "statistics", CorpusHeNormal(.duplicatesValues)),
        heNormal("DefectiveHeNormal(usesFanOut)", "statistics", DefectiveHeNormal(defect: .usesFanOut)),
        heNormal("DefectiveHeNormal(systemRandom)", "seeding", DefectiveHeNormal(defect: .systemRandom)),
        heNormal("DefectiveHeNormal(flattensShape)", "shape", DefectiveHeNormal(defect: .flattensShape)),
        heNormal("DefectiveHeNormal(ignoresReceptiveField)", "statistics", DefectiveHeNormal(defect: .ignoresReceptiveField)),
    ]

    static let transforms: [CorpusEntry] = [
        transform("CorpusRingNormalizer", "control", control: true, CorpusRingNormalizer(bug: .none)),
        transform("RingNormalizer losing its index in Codable", "Codable history", CorpusRingNormalizer(bug: .indexNotEncoded)),
        transform("CorpusBiasCorrectedAverage", "control", control: true, CorpusBiasCorrectedAverage(bug: .none)),
        transform("BiasCorrectedAverage losing its count in Codable", "Codable history", CorpusBiasCorrectedAverage(bug: .countNotEncoded)),
        transform("RenamingTransform", "keys", RenamingTransform()),
        transform("NoisyTransform", "determinism", NoisyTransform()),
        transform("AliasingMomentum", "value semantics", AliasingMomentum()),
        transform("ForgetfulMomentum", "Codable history", ForgetfulMomentum()),
        transform("ReportCountingTransform", "composition", ReportCountingTransform()),
        transform("NormalizingTransform", "finiteness", NormalizingTransform()),
        transform("LazyMomentum", "one advance per apply", LazyMomentum()),
        transform("HiddenStateTransform", "hidden state", HiddenStateTransform()),
    ]
}
