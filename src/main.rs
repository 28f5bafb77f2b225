fn main() -> std::process::ExitCode {
    flagpole::cli::run()
}
