//! Simulations of the outside world, for local runs, demonstrations and
//! tests: the registry, the payment gateway, the hosting panel, the
//! hypervisor, the machine pool, the public DNS and the VAT register. Each keeps its state
//! in the table, so it remembers what it did.

pub mod card_countries;
mod cards;
mod dns;
mod gateway;
mod hypervisor;
mod machines;
mod panel;
mod registry;
mod tax_ids;

pub use cards::{
    APPROVED, AUTHENTICATES, DECLINED, DECLINES_WHEN_CHARGED, EXPIRED, INSUFFICIENT_FUNDS,
    TEST_METHODS, test_method,
};
pub use dns::SimulatedResolver;
pub use gateway::SimulatedGateway;
pub use hypervisor::{HypervisorSettings, SimulatedHypervisor};
pub use machines::{MachineModel, MachinesSettings, SimulatedMachines};
pub use panel::{PanelSettings, SimulatedPanel};
pub use registry::{
    SimulatedRegistry, SimulationSettings, auth_code_for, phase, registered_elsewhere,
    static_availability,
};
pub use tax_ids::SimulatedTaxIds;
