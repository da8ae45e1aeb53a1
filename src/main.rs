fn main() -> std::process::ExitCode {
    tfe_contract::cli::main()
}
