# Multi-stage build: compile with the Rust image and libpq, run on a slim Debian with libpq only.
FROM rust:1.95-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so that a code change does not rebuild them.
COPY Cargo.toml Cargo.lock build.rs ./
RUN mkdir -p src tests/api && echo 'fn main() {}' > src/main.rs && touch src/lib.rs && echo '' > tests/api/main.rs \
 && cargo build --release --locked || true
COPY . .
RUN touch src/main.rs src/lib.rs && cargo build --release --locked \
 && cp target/release/mgramseva /usr/local/bin/mgramseva

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin mgramseva
WORKDIR /app
COPY --from=build /usr/local/bin/mgramseva /usr/local/bin/mgramseva
COPY config ./config
USER mgramseva
ENV APP_ENV=production
EXPOSE 8080
# Needs DATABASE_URL. Migrations run at start; `mgramseva seed` loads the master data once.
ENTRYPOINT ["/usr/local/bin/mgramseva"]
CMD ["serve"]
