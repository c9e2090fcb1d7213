export { startKafkaTestBroker, type KafkaTestBroker, type KafkaTestBrokerOptions } from './broker';
export { SUPPORTED_VERSIONS } from './protocol';
