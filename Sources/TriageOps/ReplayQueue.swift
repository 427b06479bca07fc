/// Records read for a replay and waiting to be sent. In timestamp order (`--speed`, whose
/// schedule follows the records' own times) a record is released only when every partition
/// still being read has one waiting, so the earliest across partitions goes first; a
/// consumer hands over whole batches of one partition, which would otherwise put a late
/// record before an earlier one of another partition. Otherwise in arrival order. Pure.
struct ReplayQueue<Element> {
    let ordered: Bool
    private var arrival: [Element] = []
    private var arrivalHead = 0
    private var waiting: [Int32: [(timestampMs: Int64, element: Element)]] = [:]
    private var heads: [Int32: Int] = [:]
    private var open: Set<Int32>
    private(set) var count = 0

    /// `partitions`: those that will be read (each closed when its last record is in).
    init(ordered: Bool, partitions: some Sequence<Int32>) {
        self.ordered = ordered
        open = Set(partitions)
    }

    var isEmpty: Bool { count == 0 }

    mutating func push(_ element: Element, partition: Int32, timestampMs: Int64?) {
        count += 1
        if ordered {
            // A record without a timestamp goes as early as it can.
            waiting[partition, default: []].append((timestampMs ?? .min, element))
        } else {
            arrival.append(element)
        }
    }

    /// The partition has no more records to read.
    mutating func close(partition: Int32) { open.remove(partition) }

    /// The next record to send, or nil when there is none or (in order) a partition still
    /// being read has nothing waiting.
    mutating func pop() -> Element? {
        guard count > 0 else { return nil }
        if !ordered {
            let element = arrival[arrivalHead]
            arrivalHead += 1
            if arrivalHead > 4_096, arrivalHead * 2 > arrival.count {
                arrival.removeFirst(arrivalHead)
                arrivalHead = 0
            }
            count -= 1
            return element
        }
        var best: (partition: Int32, timestampMs: Int64)?
        if open.contains(where: { (heads[$0] ?? 0) >= (waiting[$0]?.count ?? 0) }) { return nil }
        for (partition, items) in waiting {
            let head = heads[partition] ?? 0
            guard head < items.count else { continue }
            if best == nil || items[head].timestampMs < best!.timestampMs { best = (partition, items[head].timestampMs) }
        }
        guard let best else { return nil }
        let head = heads[best.partition] ?? 0
        let element = waiting[best.partition]![head].element
        if head + 1 > 4_096, (head + 1) * 2 > waiting[best.partition]!.count {
            waiting[best.partition]!.removeFirst(head + 1)
            heads[best.partition] = 0
        } else {
            heads[best.partition] = head + 1
        }
        count -= 1
        return element
    }
}
