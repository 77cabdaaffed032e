//! TLS to the team server with rustls, so bagel needs no system OpenSSL. The server's
//! certificate is always verified: against `sslrootcert` (or libpq's `~/.postgresql/root.crt`)
//! when given, else against the system's trusted authorities.

use crate::error::{Error, Result};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use std::path::Path;
use tokio_postgres_rustls::MakeRustlsConnect;

pub fn connector(root_cert: Option<&Path>) -> Result<MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    match root_cert {
        Some(path) => {
            let certificates = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<std::result::Result<Vec<_>, _>>())
                .map_err(|e| {
                    Error::bad_input(
                        path,
                        format!("not a PEM certificate file ({e}); give the server's CA certificate as sslrootcert"),
                    )
                })?;
            roots.add_parsable_certificates(certificates);
        }
        None => {
            roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        }
    }
    // The provider is the one rustls is built with (ring, no C toolchain needed).
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}
