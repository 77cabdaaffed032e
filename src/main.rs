fn main() -> std::process::ExitCode {
    match bagel::cli::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            bagel::cli::print_error(&error);
            std::process::ExitCode::FAILURE
        }
    }
}
