/// A change of the partitions assigned to a group member, reported during `poll`.
///
/// `revoked` is delivered *before* the partitions are taken away, so the owner can finish
/// in-flight work and store and commit offsets for them first. `lost` partitions may
/// already belong to another member: commit nothing for them.
public enum KafkaRebalanceEvent: Sendable, Hashable {
    case assigned([KafkaTopicPartition])
    case revoked([KafkaTopicPartition])
    case lost([KafkaTopicPartition])
}
