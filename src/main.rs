fn main() {
    std::process::exit(keikaku::cli::main());
}
