for t in f64 f32 f16 bf16 i64 i32 i16 i8 u64 u32 u16 u8 bool; do tensor-inspect --slice $t test/data/records/dtypes.safetensors || exit; done
