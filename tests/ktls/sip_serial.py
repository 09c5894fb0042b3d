#!/usr/bin/env python3
"""sip_serial: one TLS 1.3 connection that sends SIP OPTIONS one at a time,
each after the previous answer, so that every answer is a send (a TLS record)
of its own on the relay's side. Prints "answered N" (and how it ended when
the relay closed first); used by the record-limit checks of the kTLS tests.

    sip_serial.py PORT COUNT
"""
import socket
import ssl
import sys

REQUEST = ("OPTIONS sip:sbc.example.com SIP/2.0\r\n"
           "Via: SIP/2.0/TLS 127.0.0.1:5099;branch=z9hG4bK-serial-%d\r\n"
           "From: <sip:t@example.net>;tag=s\r\nTo: <sip:sbc.example.com>\r\n"
           "Call-ID: serial@example.net\r\nCSeq: %d OPTIONS\r\n"
           "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n")


def main():
    port, count = int(sys.argv[1]), int(sys.argv[2])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
    answered, buf = 0, b""
    try:
        for i in range(1, count + 1):
            sock.sendall((REQUEST % (i, i)).encode())
            while b"\r\n\r\n" not in buf:
                data = sock.recv(65536)
                if not data:
                    raise EOFError
                buf += data
            buf = buf.split(b"\r\n\r\n", 1)[1]
            answered += 1
    except (EOFError, ssl.SSLError, OSError) as e:
        print("ended:", type(e).__name__)
    print("answered", answered)


main()
