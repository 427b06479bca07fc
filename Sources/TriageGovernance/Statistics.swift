#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few statistics the fairness monitor needs: the normal distribution, Wilson intervals,
/// the pooled two-proportion z test and multiple-comparison corrections. Pure functions.
public enum Statistics {
    /// The 0.975 quantile of the standard normal distribution (a two-sided 95% interval).
    public static let z95 = 1.959_963_984_540_054

    /// P(Z ≤ z) for a standard normal Z, via `erfc` (accurate in both tails).
    public static func normalCDF(_ z: Double) -> Double {
        0.5 * erfc(-z / 2.0.squareRoot())
    }

    /// P(|Z| ≥ |z|) for a standard normal Z.
    public static func twoSidedPValue(z: Double) -> Double {
        guard !z.isNaN else { return 1 }
        return min(1, erfc(abs(z) / 2.0.squareRoot()))
    }

    /// A closed interval of proportions.
    public struct Interval: Sendable, Hashable {
        public var low: Double
        public var high: Double
        public init(low: Double, high: Double) {
            self.low = low
            self.high = high
        }
    }

    /// The Wilson score interval for `successes` out of `trials` (nil when `trials` is 0).
    public static func wilsonInterval(successes: Int, trials: Int, z: Double = z95) -> Interval? {
        guard trials > 0, successes >= 0, successes <= trials else { return nil }
        let n = Double(trials)
        let p = Double(successes) / n
        let z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot() / denominator
        return Interval(low: max(0, centre - half), high: min(1, centre + half))
    }

    /// The result of comparing two proportions.
    public struct TwoProportionTest: Sendable, Hashable {
        /// p1 − p2.
        public var difference: Double
        /// The z statistic with the pooled standard error.
        public var z: Double
        /// Two-sided p-value.
        public var pValue: Double
        /// Interval for p1 − p2 (unpooled, Wald) at the requested level.
        public var differenceInterval: Interval
    }

    /// The pooled two-proportion z test of x1/n1 against x2/n2 (two-sided), with a Wald
    /// interval for the difference. Nil when either group is empty. When both groups are all
    /// successes or all failures the difference is 0 and the p-value 1.
    public static func twoProportionTest(_ x1: Int, _ n1: Int, _ x2: Int, _ n2: Int, z zCrit: Double = z95)
        -> TwoProportionTest?
    {
        guard n1 > 0, n2 > 0 else { return nil }
        let p1 = Double(x1) / Double(n1)
        let p2 = Double(x2) / Double(n2)
        let pooled = Double(x1 + x2) / Double(n1 + n2)
        let se = (pooled * (1 - pooled) * (1 / Double(n1) + 1 / Double(n2))).squareRoot()
        let difference = p1 - p2
        let z = se > 0 ? difference / se : 0
        let seDiff = (p1 * (1 - p1) / Double(n1) + p2 * (1 - p2) / Double(n2)).squareRoot()
        return TwoProportionTest(
            difference: difference, z: z, pValue: se > 0 ? twoSidedPValue(z: z) : 1,
            differenceInterval: Interval(low: difference - zCrit * seDiff, high: difference + zCrit * seDiff))
    }

    /// Holm–Bonferroni adjusted p-values, in the order given: reject H_i at level α when the
    /// adjusted p_i ≤ α. Controls the family-wise error rate under any dependence.
    public static func holm(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, min(1, Double(m - rank) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }

    /// Benjamini–Hochberg adjusted p-values (q-values), in the order given. Controls the
    /// false discovery rate for independent or positively dependent tests.
    public static func benjaminiHochberg(_ pValues: [Double]) -> [Double] {
        let m = pValues.count
        let order = pValues.indices.sorted { (pValues[$0], $0) < (pValues[$1], $1) }
        var adjusted = [Double](repeating: 1, count: m)
        var running = 1.0
        for rank in stride(from: m - 1, through: 0, by: -1) {
            let index = order[rank]
            running = min(running, min(1, Double(m) / Double(rank + 1) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }

    /// The nearest-rank quantile (`q` in 0...1) of an ascending array; nil when empty.
    public static func quantile<T: Comparable>(sorted values: [T], _ q: Double) -> T? {
        guard !values.isEmpty else { return nil }
        let rank = Int((q * Double(values.count)).rounded(.up))
        return values[min(max(rank, 1), values.count) - 1]
    }
}
