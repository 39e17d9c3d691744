import Testing
import KeelCore

@Test func packageBuilds() { #expect(Bool(true)) }
