// The PKI tool library behind `gatehouse certs`: imports nothing of the gateway.
export * from './pki.ts';
export * from './crl.ts';
export * from './pkcs12.ts';
export * from './store.ts';
