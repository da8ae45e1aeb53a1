//! The typed client progenitor generates from the spec, behind this one `include!` (the code
//! stays in `OUT_DIR`), and the hooks that hand each of its requests to the recorder.

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use super::Recorder;
use crate::spec::Spec;

#[allow(clippy::all, unused, unreachable_pub, missing_docs, rustdoc::all)]
mod generated {
    // Every path parameter the generated code builds a URL with stays one segment.
    use crate::segment::encode_segment as encode_path;
    include!(concat!(env!("OUT_DIR"), "/client.rs"));
}

pub use generated::{Client, types};

impl ClientHooks<Recorder> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        self.inner().prepare(request);
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let operation = Spec::get().op(info.operation_id);
        self.inner().exchange(request, operation).await
    }
}
