/**
 * The root tsconfig adds the DOM lib for the browser clients (clients/src), and with it the DOM's
 * `RequestInit` replaces Node's (undici's) in the one program. Node's fetch needs `duplex: 'half'`
 * to stream a request body (hub/wire.int.test.ts does); the DOM lib does not declare it yet.
 */
interface RequestInit {
  duplex?: 'half';
}
