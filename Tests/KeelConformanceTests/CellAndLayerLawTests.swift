import KeelConformance
import Testing

/// Every cell and layer law catches its mutant; the reference cell passes.
@Suite struct CellAndLayerLawTests {
    static func checkMutant(for law: CellLaw) throws {
        let defect: DefectiveCell.Defect
        switch law {
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
