import Testing
@testable import TriageGovernance

@Suite("Statistics")
struct StatisticsTests {
    @Test("normal CDF at known points")
    func normalCDF() {
        #expect(abs(Statistics.normalCDF(0) - 0.5) < 1e-15)
        #expect(abs(Statistics.normalCDF(1.959963984540054) - 0.975) < 1e-12)
        #expect(abs(Statistics.normalCDF(-3) - 0.0013498980316301) < 1e-14)
        // Deep tail stays accurate (no 1 − Φ cancellation).
        #expect(abs(Statistics.twoSidedPValue(z: 8) / 1.2441921148543e-15 - 1) < 1e-9)
    }

    @Test("pooled two-proportion z test: 120/400 vs 80/400")
    func zTest() throws {
        let t = try #require(Statistics.twoProportionTest(120, 400, 80, 400))
        // p̂ = 0.25, SE = sqrt(0.25·0.75·(2/400)) = 0.0306186, z = 0.1 / SE
        #expect(abs(t.difference - 0.1) < 1e-12)
        #expect(abs(t.z - 3.2659863237109) < 1e-9)
        #expect(abs(t.pValue - 0.0010908351761253) < 1e-12)
        // Wald interval: 0.1 ± 1.96·sqrt(0.3·0.7/400 + 0.2·0.8/400)
        #expect(abs(t.differenceInterval.low - 0.0403900225705288) < 1e-12)
        #expect(abs(t.differenceInterval.high - 0.1596099774294712) < 1e-12)
    }

    @Test("z test edge cases")
    func zTestEdges() throws {
        #expect(Statistics.twoProportionTest(1, 0, 1, 10) == nil)
        let same = try #require(Statistics.twoProportionTest(0, 50, 0, 70))
        #expect(same.z == 0 && same.pValue == 1)
        let reversed = try #require(Statistics.twoProportionTest(80, 400, 120, 400))
        #expect(abs(reversed.z + 3.2659863237109) < 1e-9)
    }

    @Test("Wilson intervals, known values")
    func wilson() throws {
        let a = try #require(Statistics.wilsonInterval(successes: 1, trials: 10))
        #expect(abs(a.low - 0.0178762130950729) < 1e-12 && abs(a.high - 0.4041500267952385) < 1e-12)
        let zero = try #require(Statistics.wilsonInterval(successes: 0, trials: 10))
        #expect(zero.low == 0 && abs(zero.high - 0.2775327998628892) < 1e-12)
        let all = try #require(Statistics.wilsonInterval(successes: 10, trials: 10))
        #expect(abs(all.low - 0.7224672001371107) < 1e-12 && abs(all.high - 1) < 1e-12)
        let b = try #require(Statistics.wilsonInterval(successes: 120, trials: 400))
        #expect(abs(b.low - 0.257167671956197) < 1e-12 && abs(b.high - 0.346637245777522) < 1e-12)
        #expect(Statistics.wilsonInterval(successes: 0, trials: 0) == nil)
    }

    @Test("Holm on a known list")
    func holm() {
        // sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, max(0.04·1, 0.06) = 0.06
        let adjusted = Statistics.holm([0.01, 0.04, 0.03, 0.005])
        let expected = [0.03, 0.06, 0.06, 0.02]
        for (a, e) in zip(adjusted, expected) { #expect(abs(a - e) < 1e-12) }
        #expect(Statistics.holm([0.9, 0.8]) == [1, 1])
        #expect(Statistics.holm([]) == [])
    }

    @Test("Benjamini–Hochberg on a known list")
    func bh() {
        // m = 4; sorted 0.005, 0.01, 0.03, 0.04 → 0.02, 0.02, 0.04, 0.04
        let adjusted = Statistics.benjaminiHochberg([0.01, 0.04, 0.03, 0.005])
        let expected = [0.02, 0.04, 0.04, 0.02]
        for (a, e) in zip(adjusted, expected) { #expect(abs(a - e) < 1e-12) }
    }

    @Test("nearest-rank quantiles")
    func quantiles() {
        let values: [Int64] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        #expect(Statistics.quantile(sorted: values, 0.5) == 5)
        #expect(Statistics.quantile(sorted: values, 0.9) == 9)
        #expect(Statistics.quantile(sorted: [Int64](), 0.5) == nil)
        #expect(Statistics.quantile(sorted: [Int64(7)], 0.9) == 7)
    }
}
