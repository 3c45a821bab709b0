//! DIGIT municipal services (properties, water connections, the calculator, expenses, vendors,
//! events). They may use `business` and `platform`.
