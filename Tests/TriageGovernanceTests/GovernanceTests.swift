import Testing
@testable import TriageGovernance

@Test func governanceModuleLinks() {
    #expect(String(describing: Governance.self) == "Governance")
}
