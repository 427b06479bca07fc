/// Inline SVG charts for the governance report: grouped or stacked bars with optional error
/// bars and a reference line, and a line chart with an interval band. No scripts, no fonts.
enum SVGChart {
    static let palette = ["#3b6ea5", "#e08a2c", "#4a9b5e", "#c44e52", "#8c6bb1", "#7f7f7f", "#b5a33a", "#2a9d9d"]

    struct Bar {
        var value: Double
        var low: Double? = nil
        var high: Double? = nil
    }

    struct Group {
        var label: String
        var suppressed = false
        /// One entry per series; nil when that figure is not available.
        var bars: [Bar?]
    }

    struct BarChart {
        var title: String
        var series: [String]
        var groups: [Group]
        var stacked = false
        var referenceLine: (value: Double, label: String)? = nil
        var yMax: Double? = nil
        var percentAxis = true
        /// Shown when no group has a bar.
        var emptyNote = "no data over min_n"
        var width = 560
        var height = 280
    }

    struct LinePoint {
        var label: String
        var value: Double?
        var low: Double? = nil
        var high: Double? = nil
        var highlight = false
    }

    private static func f(_ v: Double) -> String { HTML.fixed(v, digits: 1) }

    private static func axisLabel(_ v: Double, percent: Bool) -> String {
        percent ? HTML.percent(v, digits: 0) : HTML.fixed(v, digits: 2)
    }

    private static func niceMax(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        for step in [0.02, 0.04, 0.08, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.2, 1.6, 2, 4, 8] where v <= step { return step }
        var m = 10.0
        while m < v { m *= 2 }
        return m
    }

    private static func truncate(_ s: String, _ n: Int) -> String {
        s.count <= n ? s : String(s.prefix(n - 1)) + "…"
    }

    static func bars(_ chart: BarChart) -> String {
        let left = 48.0, right = 12.0, top = 34.0
        let slot = (Double(chart.width) - left - right) / Double(max(chart.groups.count, 1))
        let rotate = chart.groups.contains { Double(min($0.label.count, 18)) * 6.5 > slot - 6 }
        let bottom = rotate ? 74.0 : 40.0
        let width = Double(chart.width)
        // Legend entries laid out left to right, wrapping.
        var legend: [(x: Double, row: Int)] = []
        if chart.series.count > 1 {
            var x = left, row = 0
            for name in chart.series {
                let w = 22 + Double(name.count) * 6.2
                if x + w > width - right && x > left { x = left; row += 1 }
                legend.append((x, row))
                x += w
            }
        }
        let legendRows = (legend.last?.row ?? -1) + 1
        let height = Double(chart.height) + Double(legendRows) * 16
        let plotW = width - left - right, plotH = height - top - bottom - Double(legendRows) * 16
        let plotTop = top + Double(legendRows) * 16
        var maxValue = 0.0
        for g in chart.groups {
            if chart.stacked {
                maxValue = max(maxValue, g.bars.reduce(0) { $0 + ($1?.value ?? 0) })
            } else {
                for b in g.bars.compactMap({ $0 }) { maxValue = max(maxValue, b.high ?? b.value, b.value) }
            }
        }
        if let line = chart.referenceLine { maxValue = max(maxValue, line.value * 1.1) }
        let yMax = chart.yMax ?? niceMax(maxValue * 1.05)
        func y(_ v: Double) -> Double { plotTop + plotH - min(max(v, 0), yMax) / yMax * plotH }

        var s = "<svg class=\"chart\" width=\"\(chart.width)\" height=\"\(Int(height))\" viewBox=\"0 0 \(chart.width) \(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(chart.title))\">"
        s += "<text x=\"\(f(left))\" y=\"18\" class=\"ct\">\(HTML.escape(chart.title))</text>"
        // Legend
        for (i, name) in chart.series.enumerated() where i < legend.count {
            let (x, row) = legend[i]
            let ly = 28 + Double(row) * 16
            s += "<rect x=\"\(f(x))\" y=\"\(f(ly))\" width=\"10\" height=\"10\" fill=\"\(palette[i % palette.count])\"/>"
            s += "<text x=\"\(f(x + 14))\" y=\"\(f(ly + 9))\" class=\"lg\">\(HTML.escape(name))</text>"
        }
        // Grid and axis
        for k in 0...4 {
            let v = yMax * Double(k) / 4
            s += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" class=\"grid\"/>"
            s += "<text x=\"\(f(left - 4))\" y=\"\(f(y(v) + 4))\" class=\"ax\" text-anchor=\"end\">\(axisLabel(v, percent: chart.percentAxis))</text>"
        }
        let groupW = plotW / Double(max(chart.groups.count, 1))
        for (gi, g) in chart.groups.enumerated() {
            let gx = left + Double(gi) * groupW
            let cx = gx + groupW / 2
            if g.suppressed {
                s += "<rect x=\"\(f(gx + groupW * 0.1))\" y=\"\(f(plotTop))\" width=\"\(f(groupW * 0.8))\" height=\"\(f(plotH))\" class=\"supp\"/>"
                s += "<text x=\"\(f(cx))\" y=\"\(f(plotTop + plotH / 2))\" class=\"suppt\" text-anchor=\"middle\" transform=\"rotate(-90 \(f(cx)) \(f(plotTop + plotH / 2)))\">suppressed (n &lt; min_n)</text>"
            } else if chart.stacked {
                let bw = min(groupW * 0.6, 48)
                var base = 0.0
                for (si, bar) in g.bars.enumerated() {
                    guard let bar, bar.value > 0 else { continue }
                    s += "<rect x=\"\(f(cx - bw / 2))\" y=\"\(f(y(base + bar.value)))\" width=\"\(f(bw))\" height=\"\(f(y(base) - y(base + bar.value)))\" fill=\"\(palette[si % palette.count])\"><title>\(HTML.escape(g.label)) · \(HTML.escape(chart.series[si])): \(axisLabel(bar.value, percent: chart.percentAxis))</title></rect>"
                    base += bar.value
                }
            } else {
                let n = Double(max(chart.series.count, 1))
                let bw = min(groupW * 0.8 / n, 36)
                let start = cx - bw * n / 2
                for (si, bar) in g.bars.enumerated() {
                    let bx = start + Double(si) * bw
                    guard let bar else {
                        s += "<text x=\"\(f(bx + bw / 2))\" y=\"\(f(plotTop + plotH - 3))\" class=\"na\" text-anchor=\"middle\">–</text>"
                        continue
                    }
                    s += "<rect x=\"\(f(bx + 1))\" y=\"\(f(y(bar.value)))\" width=\"\(f(max(bw - 2, 1)))\" height=\"\(f(y(0) - y(bar.value)))\" fill=\"\(palette[si % palette.count])\"><title>\(HTML.escape(g.label)) · \(HTML.escape(chart.series[si])): \(axisLabel(bar.value, percent: chart.percentAxis))</title></rect>"
                    if let low = bar.low, let high = bar.high {
                        let ex = bx + bw / 2
                        s += "<path d=\"M\(f(ex)) \(f(y(low)))V\(f(y(high)))M\(f(ex - 3)) \(f(y(low)))h6M\(f(ex - 3)) \(f(y(high)))h6\" class=\"err\"/>"
                    }
                }
            }
            let label = HTML.escape(truncate(g.label, 18))
            if rotate {
                s += "<text x=\"\(f(cx))\" y=\"\(f(plotTop + plotH + 12))\" class=\"ax\" text-anchor=\"end\" transform=\"rotate(-35 \(f(cx)) \(f(plotTop + plotH + 12)))\">\(label)</text>"
            } else {
                s += "<text x=\"\(f(cx))\" y=\"\(f(plotTop + plotH + 16))\" class=\"ax\" text-anchor=\"middle\">\(label)</text>"
            }
        }
        s += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y(0)))\" y2=\"\(f(y(0)))\" class=\"axis\"/>"
        if !chart.groups.contains(where: { g in g.bars.contains { $0 != nil } }) {
            s += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(plotTop + plotH / 2))\" class=\"suppt\" text-anchor=\"middle\">\(HTML.escape(chart.emptyNote))</text>"
        }
        if let line = chart.referenceLine {
            let ly = y(line.value)
            s += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(ly))\" y2=\"\(f(ly))\" class=\"ref\" data-value=\"\(HTML.fixed(line.value, digits: 2))\"/>"
            // The label goes on the title row, with a sample of the line, clear of the bars.
            s += "<line x1=\"\(f(width - right - 150))\" x2=\"\(f(width - right - 126))\" y1=\"14\" y2=\"14\" class=\"ref\"/>"
            s += "<text x=\"\(f(width - right - 122))\" y=\"18\" class=\"reft\">\(HTML.escape(line.label))</text>"
        }
        s += "</svg>"
        return s
    }

    static func line(title: String, points: [LinePoint], width: Int = 1120, height: Int = 260) -> String {
        let left = 90.0, right = 16.0, top = 34.0, bottom = 64.0
        let w = Double(width), h = Double(height)
        let plotW = w - left - right, plotH = h - top - bottom
        let maxValue = points.compactMap { $0.high ?? $0.value }.max() ?? 0
        let yMax = niceMax(maxValue * 1.05)
        func y(_ v: Double) -> Double { top + plotH - min(max(v, 0), yMax) / yMax * plotH }
        func x(_ i: Int) -> Double { points.count <= 1 ? left + plotW / 2 : left + Double(i) / Double(points.count - 1) * plotW }
        var s = "<svg class=\"chart\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTML.escape(title))\">"
        s += "<text x=\"\(f(left))\" y=\"18\" class=\"ct\">\(HTML.escape(title))</text>"
        for k in 0...4 {
            let v = yMax * Double(k) / 4
            s += "<line x1=\"\(f(left))\" x2=\"\(f(w - right))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" class=\"grid\"/>"
            s += "<text x=\"\(f(left - 4))\" y=\"\(f(y(v) + 4))\" class=\"ax\" text-anchor=\"end\">\(HTML.percent(v, digits: 0))</text>"
        }
        // Interval band (over consecutive points that have one)
        var upper: [String] = [], lower: [String] = []
        for (i, p) in points.enumerated() {
            if let lo = p.low, let hi = p.high {
                upper.append("\(f(x(i))) \(f(y(hi)))")
                lower.insert("\(f(x(i))) \(f(y(lo)))", at: 0)
            }
        }
        if upper.count > 1 { s += "<path d=\"M\((upper + lower).joined(separator: "L"))Z\" class=\"band\"/>" }
        var path = ""
        for (i, p) in points.enumerated() {
            guard let v = p.value else { continue }
            path += (path.isEmpty ? "M" : "L") + "\(f(x(i))) \(f(y(v)))"
        }
        if !path.isEmpty { s += "<path d=\"\(path)\" class=\"ln\"/>" }
        let every = max(1, points.count / 12)
        for (i, p) in points.enumerated() {
            if let v = p.value {
                s += "<circle cx=\"\(f(x(i)))\" cy=\"\(f(y(v)))\" r=\"\(p.highlight ? 5 : 3)\" class=\"\(p.highlight ? "pt-alert" : "pt")\"><title>\(HTML.escape(p.label)): \(HTML.percent(v))</title></circle>"
            }
            if i % every == 0 || i == points.count - 1 {
                s += "<text x=\"\(f(x(i)))\" y=\"\(f(top + plotH + 14))\" class=\"ax\" text-anchor=\"end\" transform=\"rotate(-25 \(f(x(i))) \(f(top + plotH + 14)))\">\(HTML.escape(p.label))</text>"
            }
        }
        s += "<line x1=\"\(f(left))\" x2=\"\(f(w - right))\" y1=\"\(f(y(0)))\" y2=\"\(f(y(0)))\" class=\"axis\"/>"
        s += "</svg>"
        return s
    }
}
