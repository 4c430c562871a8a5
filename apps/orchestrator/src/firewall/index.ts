export * from './firewall-rules';
export * from './host-network';
export * from './iptables';
