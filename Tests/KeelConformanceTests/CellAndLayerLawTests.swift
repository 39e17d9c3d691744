import KeelConformance
import Testing

/// Every cell and layer law catches its mutant; the reference cell passes.
@Suite struct CellAndLayerLawTests {
    static func checkMutant(for law: CellLaw) throws {
        let defect: DefectiveCell.Defect
        switch law {
        case .recurrentJacobianAtInitialisation:
            try CellConformance(CorpusIndRNNCell(.recurrentInitTooLarge), jacobianBound: 1).check(law)
            return
        case .zeroStateShape: defect = .ignoresBatchSize
        case .backwardMatchesFiniteDifferences: defect = .wrongStateGradient
        case .unrolledEqualsManualSteps: defect = .hiddenStepCounter
        case .parameterKeysUniqueAndStable: defect = .duplicateKey
        case .finiteOverLongSequences: defect = .explodes
        }
        try CellConformance(DefectiveCell(defect: defect)).check(law)
    }

    @Test(arguments: CellLaw.allCases)
    func cellMutantIsCaught(law: CellLaw) {
        let failure = #expect(throws: ConformanceFailure.self) { try Self.checkMutant(for: law) }
        #expect(failure?.law == law.rawValue)
    }

    /// The Jacobian law reports the measured radius, and "not verified" without a declared bound.
    @Test func jacobianRadiusIsReported() {
        let declared = CellConformance(CorpusIndRNNCell(.none), jacobianBound: 1).evaluate(.recurrentJacobianAtInitialisation)
        #expect(declared.status == .passed)
        #expect(declared.note?.contains("ρ = ") == true)
        let undeclared = CellConformance(CorpusIndRNNCell(.none)).evaluate(.recurrentJacobianAtInitialisation)
        #expect(undeclared.status == .notVerified)
        // At the zero state and a zero input the IndRNN's Jacobian is diag(u·tanh′(b)), so ρ is
        // just below max |u| = 1.
        #expect(declared.note?.contains("ρ = 0.99") == true)
    }

    @Test func wrongBackwardIsReportedOnTheSmallestBatch() {
        let failure = #expect(throws: ConformanceFailure.self) {
            try CellConformance(DefectiveCell(defect: .wrongStateGradient)).check(.backwardMatchesFiniteDifferences)
        }
        #expect(failure?.details.contains("state0") == true)
        #expect(failure?.sample?.hasPrefix("batch 1") == true)
    }

    static func checkMutant(for law: LayerLaw) throws {
        switch law {
        case .backwardMatchesFiniteDifferences:
            try LayerConformance(DefectiveAffine(defect: .halfBiasGradient), inputShape: [4, 3]).check(law)
        case .parameterKeysUniqueAndStable:
            try LayerConformance(DefectiveAffine(defect: .duplicateKey), inputShape: [4, 3]).check(law)
        }
    }

    @Test(arguments: LayerLaw.allCases)
    func layerMutantIsCaught(law: LayerLaw) {
        let failure = #expect(throws: ConformanceFailure.self) { try Self.checkMutant(for: law) }
        #expect(failure?.law == law.rawValue)
    }

    @Test(arguments: LayerLaw.allCases)
    func correctAffinePasses(law: LayerLaw) throws {
        try LayerConformance(DefectiveAffine(defect: .none), inputShape: [4, 3]).check(law)
    }
}

/// Every initializer and monitor law catches its mutant; the correct versions pass.
@Suite struct InitializerAndMonitorLawTests {
    static func checkMutant(for law: InitializerLaw) throws {
        let defect: DefectiveHeNormal.Defect
        switch law {
        case .momentsMatchDeclaredFormula: defect = .usesFanOut
        case .seededDeterminism: defect = .systemRandom
        case .shapeHonoured: defect = .flattensShape
        case .fansHonoured: defect = .ignoresReceptiveField
        case .valuesIndependent:
            try InitializerConformance(CorpusHeNormal(.repeatsFirstRow), expectedMoments: CorpusHeNormal.moments).check(law)
            return
        }
        try InitializerConformance(DefectiveHeNormal(defect: defect), expectedMoments: DefectiveHeNormal.moments).check(law)
    }

    @Test(arguments: InitializerLaw.allCases)
    func initializerMutantIsCaught(law: InitializerLaw) {
        let failure = #expect(throws: ConformanceFailure.self) { try Self.checkMutant(for: law) }
        #expect(failure?.law == law.rawValue)
    }

    @Test(arguments: InitializerLaw.allCases)
    func correctInitializerPasses(law: InitializerLaw) throws {
        try InitializerConformance(DefectiveHeNormal(defect: .none), expectedMoments: DefectiveHeNormal.moments).check(law)
    }

    static func checkMutant(for law: MonitorLaw) throws {
        switch law {
        case .scriptedVerdicts: try MonitorConformance(CarelessMonitor(), script: PatienceMonitor.script).check(law)
        case .codableRoundTripContinues: try MonitorConformance(ForgetfulPatienceMonitor(), script: PatienceMonitor.script).check(law)
        case .copiesAreIndependent: try MonitorConformance(SharedHistoryMonitor(), script: PatienceMonitor.script).check(law)
        case .nonFiniteOnlyAsDeclared:
            try MonitorConformance(
                CorpusNonFiniteMonitor(.firesOnLargeLosses), script: CorpusNonFiniteMonitor.script,
                declarations: MonitorDeclarations(actsOnlyOnNonFiniteLoss: true)).check(law)
        case .scaleInvarianceAsDeclared:
            try MonitorConformance(
                CorpusPlateauMonitor(.absoluteThreshold), script: CorpusPlateauMonitor.script,
                declarations: MonitorDeclarations(lossScaleInvariant: true)).check(law)
        }
    }

    @Test(arguments: MonitorLaw.allCases)
    func monitorMutantIsCaught(law: MonitorLaw) {
        let failure = #expect(throws: ConformanceFailure.self) { try Self.checkMutant(for: law) }
        #expect(failure?.law == law.rawValue)
    }

    @Test(arguments: MonitorLaw.allCases)
    func correctMonitorPasses(law: MonitorLaw) throws {
        try MonitorConformance(PatienceMonitor(), script: PatienceMonitor.script).check(law)
    }
}
