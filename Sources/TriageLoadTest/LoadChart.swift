import Foundation

/// The plot of one run: a standalone SVG with a summary line and four time charts
/// (throughput, consumer lag, latency percentiles, memory and CPU per worker), the
/// scenario's events drawn as dashed lines on each.
///
/// TriageGovernance's SVGChart draws bars and one percentage line per chart; these need
/// several series against seconds, with units on the axis, so they are drawn here.
public enum LoadChart {
    public struct Series {
        public var name: String
        public var points: [LoadResult.Sample]
        public var dashed = false
        public init(name: String, points: [LoadResult.Sample], dashed: Bool = false) {
            self.name = name
            self.points = points
            self.dashed = dashed
        }
    }

    static let palette = ["#3b6ea5", "#e08a2c", "#4a9b5e", "#c44e52", "#8c6bb1", "#7f7f7f", "#b5a33a", "#2a9d9d"]
    static let width = 1160.0

    public static func svg(_ r: LoadResult) -> String {
        let duration = max(r.throughput.perSecond.count, 1)
        let xMax = Double(duration)
        func perSecond(_ counts: [Int]) -> [LoadResult.Sample] {
            counts.enumerated().map { LoadResult.Sample(t: Double($0.offset) + 0.5, value: Double($0.element)) }
        }
        var charts: [String] = []
        var y = 92.0
        let h = 230.0
        var throughput = [Series(name: "worker outputs/s", points: perSecond(r.throughput.perSecond)),
                          Series(name: "input written/s", points: perSecond(r.throughput.inputPerSecond)),
                          Series(name: "offered rate", points: r.offeredRate, dashed: true)]
        // Reference rates as flat lines; one far above the run's own (the passthrough is often
        // 10× the worker) would flatten every other line, so it is named in the legend only.
        let runMax = throughput.flatMap { $0.points.map(\.value) }.max() ?? 0
        var references: [(String, Double)] = []
        if let p = r.passthrough {
            references.append(("passthrough drain rate", p.ratePerSecond))
            if let d = p.workerDrainRate { references.append(("one worker's backlog drain", d)) }
        }
        if let m = r.maxSustainedRate { references.append(("max sustained (paced)", m)) }
        for (name, rate) in references {
            let onScale = rate <= max(runMax, 1) * 3
            throughput.append(Series(name: "\(name) \(fmt(rate))/s\(onScale ? "" : " (off the scale)")",
                                     points: onScale ? [.init(t: 0, value: rate), .init(t: xMax, value: rate)] : [], dashed: true))
        }
        charts.append(chart(title: "Throughput", unit: "records / s", series: throughput, xMax: xMax, top: y, height: h, events: r.events))
        y += h + 28
        charts.append(chart(title: "Consumer lag of the worker group (committed vs high watermark)", unit: "records",
                            series: [Series(name: "lag", points: r.lag)], xMax: xMax, top: y, height: h, events: r.events))
        y += h + 28
        let l = r.latencyMs
        charts.append(chart(title: "End-to-end latency per second of output (input → routed record timestamp)", unit: "ms",
                            series: [Series(name: "p99", points: r.latencyP99PerSecond),
                                     Series(name: "p50", points: r.latencyP50PerSecond),
                                     Series(name: "whole run p99.9 \(fmt(l.p999)) ms", points: [.init(t: 0, value: l.p999), .init(t: xMax, value: l.p999)], dashed: true)],
                            xMax: xMax, top: y, height: h, events: r.events, logScale: true))
        y += h + 28
        let processes = r.workers + (r.runner.map { [$0] } ?? [])
        var memory: [Series] = processes.map { Series(name: "\($0.name) RSS (MB)", points: $0.rssMB) }
        memory += processes.map { Series(name: "\($0.name) CPU (% of a core)", points: $0.cpuPercent, dashed: true) }
        charts.append(chart(title: "Workers and the runner: resident memory (MB, solid) and CPU (% of one core, dashed)", unit: "MB · %",
                            series: memory, xMax: xMax, top: y, height: h, events: r.events))
        y += h + 20
        let total = Int(y)
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(total)\" viewBox=\"0 0 \(Int(width)) \(total)\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
        s += "<style>.ct{font-size:15px;font-weight:600;fill:#222}.ax{font-size:11px;fill:#555}.lg{font-size:12px;fill:#333}.ev{font-size:10px;fill:#8a2b2b}.grid{stroke:#e4e4e4}.axis{stroke:#888}</style>"
        s += "<text x=\"24\" y=\"30\" font-size=\"20\" font-weight=\"700\" fill=\"#111\">Load test: \(esc(r.scenario))</text>"
        let ratio = r.passthrough.map { " · passthrough \(fmt($0.ratePerSecond))/s, worker max/passthrough \(fmt($0.workerMaxRatio * 100))%" } ?? ""
        s += "<text x=\"24\" y=\"54\" font-size=\"13\" fill=\"#333\">\(esc("\(r.ticketsWritten) tickets in \(fmt(r.loadSeconds)) s · \(r.workersAtStart == r.maxWorkers ? "\(r.maxWorkers)" : "\(r.workersAtStart)→\(r.maxWorkers)") workers · \(r.partitions) partitions · steady \(fmt(r.throughput.steady))/s, max \(fmt(r.throughput.max))/s\(ratio)"))</text>"
        s += "<text x=\"24\" y=\"74\" font-size=\"13\" fill=\"#333\">\(esc("latency p50 \(fmt(l.p50)) · p90 \(fmt(l.p90)) · p99 \(fmt(l.p99)) · p99.9 \(fmt(l.p999)) · max \(fmt(l.max)) ms over \(l.count) outputs · max lag \(Int(r.maxLag))\(r.startedAt.isEmpty ? "" : " · \(r.startedAt)")"))</text>"
        s += charts.joined()
        s += "</svg>"
        return s
    }

    /// One chart: lines of (seconds, value) with an x axis in seconds and a y axis in `unit`.
    static func chart(title: String, unit: String, series: [Series], xMax: Double, top: Double, height: Double,
                      events: [LoadResult.Event], logScale: Bool = false) -> String {
        let left = 78.0, right = 24.0
        let plotW = width - left - right
        // The legend wraps onto as many rows as it needs; the plot gives up that height.
        var legend: [(x: Double, row: Int)] = []
        var lx = left, row = 0
        for line in series {
            let w = 40 + Double(line.name.count) * 6.8
            if lx > left && lx + w > left + plotW {
                lx = left
                row += 1
            }
            legend.append((lx, row))
            lx += w
        }
        let legendH = 18.0 * Double(row + 1)
        let plotTop = top + 24 + legendH, plotH = height - 24 - legendH - 34
        let values = series.flatMap { $0.points.map(\.value) }
        let maxValue = values.max() ?? 0
        let yMax = logScale ? logCeiling(maxValue) : niceMax(maxValue * 1.08)
        func x(_ t: Double) -> Double { left + min(max(t, 0), xMax) / max(xMax, 1) * plotW }
        func y(_ v: Double) -> Double {
            if logScale {
                let lv = log10(max(v, 1)), lm = log10(max(yMax, 10))
                return plotTop + plotH - lv / lm * plotH
            }
            return plotTop + plotH - min(max(v, 0), yMax) / yMax * plotH
        }
        var s = "<text x=\"\(left)\" y=\"\(top + 16)\" class=\"ct\">\(esc(title))</text>"
        // Legend
        for (i, line) in series.enumerated() {
            let color = palette[i % palette.count]
            let (lx, ly) = (legend[i].x, top + 31 + 18 * Double(legend[i].row))
            s += "<line x1=\"\(lx)\" x2=\"\(lx + 20)\" y1=\"\(ly)\" y2=\"\(ly)\" stroke=\"\(color)\" stroke-width=\"2.5\"\(line.dashed ? " stroke-dasharray=\"5 3\"" : "")/>"
            s += "<text x=\"\(lx + 25)\" y=\"\(ly + 4)\" class=\"lg\">\(esc(line.name))</text>"
        }
        // Grid, y ticks
        let ticks: [Double] = logScale
            ? stride(from: 0, through: log10(max(yMax, 10)), by: 1).map { pow(10, $0) }
            : (0...4).map { yMax * Double($0) / 4 }
        for v in ticks {
            s += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" class=\"grid\"/>"
            s += "<text x=\"\(left - 6)\" y=\"\(f(y(v) + 4))\" class=\"ax\" text-anchor=\"end\">\(fmt(v))</text>"
        }
        s += "<text x=\"16\" y=\"\(f(plotTop + plotH / 2))\" class=\"ax\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(plotTop + plotH / 2)))\">\(esc(unit))\(logScale ? " (log)" : "")</text>"
        // x ticks
        let step = niceStep(xMax / 10)
        for t in stride(from: 0, through: xMax, by: step) {
            s += "<line x1=\"\(f(x(t)))\" x2=\"\(f(x(t)))\" y1=\"\(f(plotTop + plotH))\" y2=\"\(f(plotTop + plotH + 4))\" class=\"axis\"/>"
            s += "<text x=\"\(f(x(t)))\" y=\"\(f(plotTop + plotH + 16))\" class=\"ax\" text-anchor=\"middle\">\(fmt(t))</text>"
        }
        s += "<text x=\"\(left + plotW)\" y=\"\(f(plotTop + plotH + 30))\" class=\"ax\" text-anchor=\"end\">seconds since the load started</text>"
        s += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(f(plotTop + plotH))\" y2=\"\(f(plotTop + plotH))\" class=\"axis\"/>"
        s += "<line x1=\"\(left)\" x2=\"\(left)\" y1=\"\(f(plotTop))\" y2=\"\(f(plotTop + plotH))\" class=\"axis\"/>"
        // Events
        for (i, event) in events.enumerated() {
            let ex = x(event.t)
            s += "<line x1=\"\(f(ex))\" x2=\"\(f(ex))\" y1=\"\(f(plotTop))\" y2=\"\(f(plotTop + plotH))\" stroke=\"#c44e52\" stroke-dasharray=\"3 3\"/>"
            s += "<text x=\"\(f(ex + 3))\" y=\"\(f(plotTop + 10 + Double(i % 3) * 11))\" class=\"ev\">\(esc(event.label))</text>"
        }
        // Lines
        for (i, line) in series.enumerated() where !line.points.isEmpty {
            let color = palette[i % palette.count]
            let d = line.points.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(f(x($0.element.t))) \(f(y($0.element.value)))" }.joined()
            s += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(line.dashed ? 1.6 : 2.2)\"\(line.dashed ? " stroke-dasharray=\"5 3\"" : "") stroke-linejoin=\"round\"/>"
        }
        if values.isEmpty {
            s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(plotTop + plotH / 2))\" class=\"ax\" text-anchor=\"middle\">no data</text>"
        }
        return s
    }

    static func niceMax(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(v)))
        for m in [1.0, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10] where v <= m * magnitude { return m * magnitude }
        return 10 * magnitude
    }

    static func niceStep(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(v)))
        for m in [1.0, 2, 5, 10] where v <= m * magnitude { return m * magnitude }
        return 10 * magnitude
    }

    static func logCeiling(_ v: Double) -> Double { pow(10, max(1, ceil(log10(max(v, 1)) + 0.0001))) }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func fmt(_ v: Double) -> String {
        if v >= 100 || v == v.rounded() { return String(Int(v.rounded())) }
        return String(format: v >= 10 ? "%.1f" : "%.2f", v)
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
