"""A real SMTP server for the e-mail tests (aiosmtpd, installed by scripts/test.sh).

  smtp_sink.py serve PORT DIR   listen on 127.0.0.1:PORT, keep each accepted message as DIR/NNNN.eml
                                (its envelope recipients in an X-Envelope-To line first), refuse
                                recipients whose address starts with "refuse" (550); runs until
                                its standard input closes.
  smtp_sink.py read DIR         print the kept messages as JSON: envelope recipients, To, From,
                                Subject, content type, and the decoded plain and HTML bodies.
"""

import json
import os
import sys
from email import policy
from email.parser import BytesParser


def serve(port, folder):
    from aiosmtpd.controller import Controller

    class Sink:
        n = 0

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.lower().startswith("refuse"):
                return "550 5.1.1 <%s>: mailbox unavailable" % address
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            Sink.n += 1
            path = os.path.join(folder, "%04d.eml" % Sink.n)
            content = envelope.original_content or envelope.content
            if isinstance(content, str):
                content = content.encode("utf-8")
            with open(path + ".tmp", "wb") as f:
                f.write(("X-Envelope-To: %s\r\n" % ",".join(envelope.rcpt_tos)).encode())
                f.write(content)
            os.rename(path + ".tmp", path)
            return "250 2.0.0 Ok: queued as sink-%d" % Sink.n

    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    try:
        sys.stdin.read()
    finally:
        controller.stop()


def read(folder):
    out = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".eml"):
            continue
        with open(os.path.join(folder, name), "rb") as f:
            m = BytesParser(policy=policy.default).parse(f)
        plain = m.get_body(("plain",))
        html = m.get_body(("html",))
        out.append(
            {
                "envelope_to": str(m["X-Envelope-To"]),
                "to": str(m["To"]),
                "from": str(m["From"]),
                "subject": str(m["Subject"]),
                "content_type": m.get_content_type(),
                "text": plain.get_content() if plain is not None else None,
                "html": html.get_content() if html is not None else None,
            }
        )
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3])
    else:
        read(sys.argv[2])
